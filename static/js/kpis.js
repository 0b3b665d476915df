// The KPI page's charts (Chart.js): each draws the numbers of the table under it, given
// by the page as JSON (kpis/tables.py charts and flow_charts). The flow part comes on its
// own (htmx): its charts are drawn when it arrives.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];
  const datasets = (series, extra) =>
    series.map((s, i) => Object.assign({
      label: s.label, data: s.data, borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length], spanGaps: true,
    }, extra || {}));
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas && !Chart.getChart(canvas)) {
      new Chart(canvas, Object.assign({ options: { animation: false, responsive: true } }, config));
    }
  };
  const read = (id) => {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  };
  const drawKpis = () => {
    const data = read("kpi-charts");
    if (!data) return;
    draw("chart-trend", {
      type: "line",
      data: { labels: data.trend.labels, datasets: datasets(data.trend.series, { fill: false }) },
    });
    draw("chart-types", {
      type: "bar",
      data: { labels: data.types.labels, datasets: datasets(data.types.series) },
      options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
    document.body.dataset.chartsDrawn = "yes";
  };
  const drawFlow = () => {
    const data = read("kpi-flow-charts");
    if (!data) return;
    draw("chart-cumulative", {
      type: "line",
      data: { labels: data.cumulative.labels, datasets: datasets(data.cumulative.series, { fill: false, pointRadius: 0 }) },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
    draw("chart-stages", {
      type: "bar",
      data: { labels: data.stages.labels, datasets: datasets(data.stages.series) },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
    document.body.dataset.flowDrawn = "yes";
  };
  drawKpis();
  drawFlow();
  document.body.addEventListener("htmx:afterSettle", drawFlow);
})();
