// Analytics charts with the vendored uPlot. Data comes from json_script elements
// (the CSP allows no inline script): data-chart names the element; with
// data-chart-index it holds a list and the index picks one chart.
"use strict";
(function () {
  const COLOURS = ["#0b6bcb", "#d9480f", "#2b8a3e", "#862e9c"];
  const compact = new Intl.NumberFormat(undefined, { notation: "compact" });

  function readChart(element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source) return null;
    const data = JSON.parse(source.textContent);
    const index = element.dataset.chartIndex;
    return index === undefined ? data : data[Number(index)];
  }

  function heightFor(width) {
    return width < 500 ? 200 : 280;
  }

  function draw(element) {
    const chart = readChart(element);
    if (!chart || chart.x.length === 0) {
      element.classList.add("postdeck-chart-empty");
      element.textContent = "No samples yet: the next sync adds the first.";
      return;
    }
    const labels = Object.keys(chart.series);
    const width = Math.max(element.clientWidth, 260);
    // Points only while they are far enough apart to read.
    const showPoints = chart.x.length * 10 < width;
    const series = [{}].concat(
      labels.map((label, position) => ({
        label: label,
        stroke: COLOURS[position % COLOURS.length],
        width: position === 0 ? 2.5 : 1.5,
        points: { show: showPoints },
        value: (_, value) => (value == null ? "—" : value.toLocaleString()),
      }))
    );
    const axes = [
      {},
      { values: (_, ticks) => ticks.map((tick) => compact.format(tick)), size: 50 },
    ];
    const options = {
      width: width,
      height: heightFor(width),
      series: series,
      axes: axes,
      scales: { x: { time: true } },
      legend: { live: width >= 500 },
      cursor: { drag: { x: false, y: false } },
    };
    const values = [chart.x].concat(labels.map((label) => chart.series[label]));
    const plot = new uPlot(options, values, element);
    if ("ResizeObserver" in window) {
      new ResizeObserver(() => {
        const next = Math.max(element.clientWidth, 260);
        if (Math.abs(next - plot.width) > 4) plot.setSize({ width: next, height: heightFor(next) });
      }).observe(element);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".postdeck-chart[data-chart]").forEach(draw);
  });
})();
