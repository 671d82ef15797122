/* Draws the console's charts from the JSON the page embeds (no inline script: the CSP allows 'self' only). */
(function () {
  "use strict";
  var dataEl = document.getElementById("console-data");
  if (!dataEl || typeof Chart === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var L = JSON.parse(document.getElementById("console-labels").textContent);
  var palette = ["#0052d9", "#0a7d32", "#9a5b00", "#c62828", "#6b3fa0", "#00838f", "#5c6470"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1f2329";
  Chart.defaults.animation = false;
  var charts = {};
  function draw(id, config) {
    var el = document.getElementById("chart-" + id);
    if (!el) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    if (config.options.indexAxis === "y") {
      // One row per bar, every label shown: a fixed box made Chart.js skip every other label of a long list.
      var scales = config.options.scales = config.options.scales || {};
      scales.y = Object.assign({ ticks: { autoSkip: false } }, scales.y || {});
      var rows = config.data.labels.length * Math.max(1, config.data.datasets.length);
      el.parentNode.style.height = Math.max(260, 60 + 22 * rows) + "px";
    }
    charts[id] = new Chart(el, config);
    el.setAttribute("data-rendered", String(config.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0)));
  }
  draw("per_day", {
    type: "bar",
    data: {
      labels: data.days,
      datasets: Object.keys(data.per_day).map(function (ch, i) {
        return { label: ch, data: data.per_day[ch], backgroundColor: palette[i % palette.length] };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  draw("outcomes", {
    type: "line",
    data: {
      labels: data.days,
      datasets: [
        { label: L.answered, data: data.outcomes.answered, borderColor: palette[1], backgroundColor: palette[1], spanGaps: true },
        { label: L.refused, data: data.outcomes.refused, borderColor: palette[2], backgroundColor: palette[2], spanGaps: true },
        { label: L.smalltalk, data: data.outcomes.smalltalk, borderColor: palette[6], backgroundColor: palette[6], spanGaps: true },
        { label: L.down, data: data.outcomes.down, borderColor: palette[3], backgroundColor: palette[3], spanGaps: true }
      ]
    },
    options: { scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "%" } } } }
  });
  draw("top_entries", {
    type: "bar",
    data: {
      labels: data.top_entries.map(function (r) { return (r.number ? r.number + ". " : "") + r.id; }),
      datasets: [
        { label: L.answered_n, data: data.top_entries.map(function (r) { return r.answered; }), backgroundColor: palette[0] },
        { label: L.down_n, data: data.top_entries.map(function (r) { return r.down; }), backgroundColor: palette[3] }
      ]
    },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  draw("log_causes", {
    type: "bar",
    data: {
      labels: data.log_causes.map(function (r) { return r.code; }),
      datasets: [{ label: L.count, data: data.log_causes.map(function (r) { return r.count; }), backgroundColor: palette[5] }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  draw("findings", {
    type: "bar",
    data: {
      labels: data.findings.map(function (r) { return r.code + " (" + r.status + ")"; }),
      datasets: [{
        label: L.count,
        data: data.findings.map(function (r) { return r.count; }),
        backgroundColor: data.findings.map(function (r) { return r.status === "fail" ? palette[3] : palette[2]; })
      }]
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  window.tcrConsoleCharts = charts;
})();
