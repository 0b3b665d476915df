// The KPI page's charts (Chart.js): each draws the numbers of the table under it, given
// by the page as JSON (kpis/tables.py charts).
(function () {
  "use strict";
  const source = document.getElementById("kpi-charts");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];
  const datasets = (series, extra) =>
    series.map((s, i) => Object.assign({
      label: s.label, data: s.data, borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length], spanGaps: true,
    }, extra || {}));
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, Object.assign({ options: { animation: false, responsive: true } }, config));
  };
  draw("chart-trend", {
    type: "line",
    data: { labels: data.trend.labels, datasets: datasets(data.trend.series, { fill: false }) },
  });
  draw("chart-types", {
    type: "bar",
    data: { labels: data.types.labels, datasets: datasets(data.types.series) },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
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
  document.body.dataset.chartsDrawn = "yes";
})();
