import csv
import io

from django.core.management import call_command

from raci.catalogue import DATA_DIR


def as_sets(rows):
    return [row[:2] + [frozenset(cell) for cell in row[2:]] for row in rows]


def test_export_raci_prints_table_4_1_exactly(db):
    out = io.StringIO()
    call_command("export_raci", stdout=out)
    exported = list(csv.reader(io.StringIO(out.getvalue())))
    with open(DATA_DIR / "rm_raci.csv", newline="", encoding="utf-8") as fh:
        spec = list(csv.reader(fh))
    assert exported[0] == spec[0]  # header: activity, name and the 16 parties in order
    assert len(exported) == 25
    assert as_sets(exported) == as_sets(spec)


def test_export_is_csv_with_crlf_like_the_spec_file(db):
    out = io.StringIO()
    call_command("export_raci", stdout=out)
    assert out.getvalue().startswith("activity,name,ITSM Release Manager,")
    assert out.getvalue().count("\r\n") == 25


def test_matrix_csv_download_matches_export(client, make_user):
    client.force_login(make_user("anyone", "ITSM Service Desk"))
    response = client.get("/raci/rm_raci.csv")
    out = io.StringIO()
    call_command("export_raci", stdout=out)
    assert response.status_code == 200
    assert response.content.decode() == out.getvalue()
