// Draws the outcome cards' event-study charts (effect by week from adoption, with its
// 95% interval as a band) from the JSON block the server renders (json_script).
(function () {
  "use strict";
  const charts = [];

  function draw() {
    const block = document.getElementById("impact-charts");
    if (!block || typeof Chart === "undefined") return;
    while (charts.length) charts.pop().destroy();
    const payload = JSON.parse(block.textContent);
    for (const spec of payload.charts) {
      const canvas = document.querySelector(`canvas[data-impact-chart="${spec.id}"]`);
      if (!canvas) continue;
      const band = { borderWidth: 0, pointRadius: 0, backgroundColor: "rgba(37, 99, 235, 0.18)" };
      charts.push(
        new Chart(canvas, {
          type: "line",
          data: {
            labels: spec.weeks,
            datasets: [
              { label: "95% low", data: spec.low, fill: false, ...band },
              { label: "95% high", data: spec.high, fill: "-1", ...band },
              { label: "Effect", data: spec.effect, borderWidth: 2, borderColor: "#1d4ed8" },
            ],
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { legend: { display: false } },
            scales: { x: { title: { display: true, text: "weeks from adoption" } } },
          },
        })
      );
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
