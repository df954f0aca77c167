/* Relais — the coverage chart: population by band of distance to the nearest place, today and, when sites
 * are recommended, with them. Data from the page's json_script block (#coverage-chart-data); the table that
 * follows the chart carries the same figures (the chart stays hidden without JavaScript).
 */
(function () {
  "use strict";

  // Today in grey, with the recommended sites in the accent colour; bars also differ by their border.
  var STYLES = [
    { backgroundColor: "#98a2b3", borderColor: "#4a4a4a", borderWidth: 1 },
    { backgroundColor: "#00539f", borderColor: "#00539f", borderWidth: 1 },
  ];

  function init() {
    var figure = document.getElementById("coverage-chart-figure");
    var canvas = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-chart-data");
    if (!figure || !canvas || !source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || "fr";
    var number = function (value) {
      return Number(value).toLocaleString(lang);
    };
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    figure.hidden = false;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset, i) {
          return Object.assign({ label: dataset.label, data: dataset.data }, STYLES[i % STYLES.length]);
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                return data.tooltip
                  .replace("{label}", context.dataset.label)
                  .replace("{value}", number(context.parsed.y));
              },
            },
          },
        },
        scales: {
          y: {
            beginAtZero: true,
            title: { display: true, text: data.axis },
            ticks: { callback: number },
          },
        },
      },
    });
    canvas.dataset.state = "ready";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
