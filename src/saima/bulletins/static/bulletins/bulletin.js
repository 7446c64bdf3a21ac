/* A bulletin's page: draws the document's charts with ECharts from the JSON the page carries
 * (the same figures the DOCX and PDF charts are drawn from on the server). */
(function () {
  "use strict";
  var source = document.getElementById("bulletin-charts");
  if (!source || typeof window.echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);

  function bars(chart) {
    return {
      animation: false,
      grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: chart.measure },
      yAxis: { type: "category", data: chart.names.slice().reverse() },
      series: [{
        type: "bar",
        data: chart.values.map(function (value, i) {
          return { value: value, itemStyle: { color: chart.colours[i] } };
        }).reverse(),
        label: {
          show: true, position: "right",
          formatter: function (p) { return Number(p.value).toFixed(chart.decimals); }
        }
      }]
    };
  }

  function lights(chart) {
    return {
      animation: false,
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 8, bottom: 32, containLabel: true },
      xAxis: { type: "value", name: chart.measure, minInterval: 1 },
      yAxis: { type: "category", data: chart.names.slice().reverse() },
      series: chart.series.map(function (s) {
        return {
          type: "bar", stack: "lights", name: s.name, itemStyle: { color: s.colour },
          data: s.values.slice().reverse(), label: { show: true, formatter: function (p) { return p.value || ""; } }
        };
      })
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = charts[element.getAttribute("data-chart")];
    if (!chart) return;
    var rows = chart.names.length;
    element.style.height = Math.max(160, 40 + rows * 24) + "px";
    var instance = window.echarts.init(element, null, { renderer: "svg" });
    instance.setOption(chart.kind === "lights" ? lights(chart) : bars(chart));
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();
