// Ask before a form does something that cannot be undone. A form opts in with
// data-confirm="question"; data-confirm-field and data-confirm-value limit the question to
// one choice (a NOGO). The answer is sent as confirmed=yes, so that the server does not
// ask again; without this script the server asks on a page of its own.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (!question) return;
  var field = form.getAttribute("data-confirm-field");
  if (field) {
    var input = form.elements[field];
    if (!input || input.value !== form.getAttribute("data-confirm-value")) return;
  }
  var confirmed = form.elements["confirmed"];
  if (confirmed && confirmed.value === "yes") return;
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (confirmed) confirmed.value = "yes";
});
