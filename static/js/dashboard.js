// Draws the dashboard's charts from the JSON block the server renders (json_script).
// Suppressed weeks arrive as null and are drawn as gaps, never as zero.
(function () {
  "use strict";
  const charts = [];

  function draw() {
    const block = document.getElementById("dashboard-charts");
    if (!block || typeof Chart === "undefined") return;
    while (charts.length) charts.pop().destroy();
    const payload = JSON.parse(block.textContent);
    for (const spec of payload.charts) {
      const canvas = document.querySelector(`canvas[data-chart="${spec.id}"]`);
      if (!canvas) continue;
      charts.push(
        new Chart(canvas, {
          type: spec.kind === "bar" ? "bar" : "line",
          data: {
            labels: payload.labels,
            datasets: [{ label: spec.title, data: spec.values, spanGaps: false, borderWidth: 2 }],
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { legend: { display: false } },
            scales: { x: { ticks: { maxTicksLimit: 8 } } },
          },
        })
      );
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
