/* Saima pages: the period picker submits on change, and trend charts are drawn from the JSON the
 * page carries in <script type="application/json" id="saima-charts"> (no inline script). */
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
  }

  // Okabe–Ito blue and grey: this year stands out, last year recedes; both safe for colour-blind eyes.
  var THIS_YEAR = "#0072B2";
  var LAST_YEAR = "#999999";

  function chartOption(chart) {
    var format = function (value) {
      return value === null || value === undefined ? "—" : Number(value).toFixed(chart.decimals);
    };
    return {
      animation: false,
      color: [THIS_YEAR, LAST_YEAR],
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      legend: { top: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", valueFormatter: format },
      xAxis: { type: "category", data: chart.months, boundaryGap: false },
      yAxis: { type: "value", name: chart.measure, scale: true },
      series: chart.series.map(function (series, index) {
        return {
          name: series.name,
          type: "line",
          data: series.data,
          connectNulls: false,
          symbolSize: 7,
          lineStyle: { width: index === 0 ? 3 : 2, type: index === 0 ? "solid" : "dashed" },
        };
      }),
    };
  }

  function drawCharts() {
    var source = document.getElementById("saima-charts");
    if (!source || typeof window.echarts === "undefined") return;
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    charts.forEach(function (chart) {
      var element = document.getElementById(chart.id);
      if (!element) return;
      var instance = window.echarts.init(element, null, { renderer: "svg" });
      instance.setOption(chartOption(chart));
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) {
        instance.resize();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    drawCharts();
  });
})();
