/* Saima pages: the period picker submits on change, trend charts are drawn from the JSON the
 * page carries in <script type="application/json" id="saima-charts">, and the overview's cells
 * show their figures on hover or keyboard focus from <script ... id="saima-cells"> (no inline
 * script). That JSON carries text already formatted and translated by the server: this script
 * only arranges it. A cell of the grid is a bare <td data-k="unit.indicator" data-light="...">:
 * its link (one delegated handler per grid), names, units of measure and figures come from the
 * JSON, sent once. */
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

  // Standings over time: one line per unit, first place at the top.
  function rankOption(chart) {
    return {
      animation: false,
      grid: { left: 48, right: 48, top: 48, bottom: 28 },
      legend: { top: 0, type: "scroll", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: chart.months, boundaryGap: false },
      yAxis: { type: "value", inverse: true, minInterval: 1, min: 1, max: "dataMax" },
      series: chart.series.map(function (series) {
        return { name: series.name, type: "line", data: series.data, symbolSize: 8, connectNulls: false };
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
      instance.setOption(chart.kind === "ranks" ? rankOption(chart) : chartOption(chart));
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) {
        instance.resize();
      });
    });
  }

  // One hover box for every cell of the grids that name their data (<table data-tips="...">).
  function cellTips() {
    var tables = document.querySelectorAll("table[data-tips]");
    if (!tables.length) return;
    var source = document.getElementById(tables[0].getAttribute("data-tips"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var box = document.createElement("div");
    box.className = "tip";
    box.id = "saima-tip";
    box.setAttribute("role", "tooltip");
    box.hidden = true;
    document.body.appendChild(box);
    var current = null;

    function line(text, strong) {
      var element = document.createElement("div");
      if (strong) element.className = "tip__title";
      element.textContent = text;
      box.appendChild(element);
    }

    function show(cell) {
      var key = cell.getAttribute("data-k");
      var figures = data.cells[key];
      if (!figures) return;
      var ids = key.split(".");
      box.textContent = "";
      line(data.units[ids[0]] + " · " + data.indicators[ids[1]], true);
      line(labels.value + ": " + amount(figures[0], ids[1]));
      line(labels.target + ": " + amount(figures[1], ids[1]));
      if (figures[2] !== null) line(labels.completion + ": " + figures[2]);
      if (figures[3] !== null) line(labels.time_progress + ": " + figures[3]);
      line(labels.gap + ": " + figures[4]);
      line(labels.light + ": " + (data.lights[figures[5]] || figures[5]));
      var rect = cell.getBoundingClientRect();
      box.hidden = false;
      var left = Math.min(rect.left, document.documentElement.clientWidth - box.offsetWidth - 8);
      box.style.left = Math.max(0, left) + window.scrollX + "px";
      box.style.top = rect.bottom + window.scrollY + 4 + "px";
      cell.setAttribute("aria-describedby", box.id);
      current = cell;
    }

    // A value or a target: the number as the server wrote it, then its unit of measure.
    function amount(text, indicator) {
      return text === null ? data.dash : text + (data.measures[indicator] || "");
    }

    // A light's cell opens its unit's page at the indicator.
    function link(cell) {
      var ids = cell.getAttribute("data-k").split(".");
      var page = data.links[ids[0]];
      var code = data.codes[ids[1]];
      return page && code ? page + "#ind-" + code : null;
    }

    function follow(event) {
      var cell = cellOf(event);
      if (!cell || !cell.hasAttribute("data-light")) return;
      var address = link(cell);
      if (address) window.location.assign(address);
    }

    function hide() {
      if (current) current.removeAttribute("aria-describedby");
      current = null;
      box.hidden = true;
    }

    function cellOf(event) {
      var target = event.target;
      return target && target.closest ? target.closest("[data-k]") : null;
    }

    tables.forEach(function (table) {
      table.querySelectorAll("td[data-k]").forEach(function (cell) {
        cell.tabIndex = 0;
      });
      table.addEventListener("click", follow);
      table.addEventListener("keydown", function (event) {
        if (event.key === "Enter") follow(event);
      });
      table.addEventListener("mouseover", function (event) {
        var cell = cellOf(event);
        if (cell && cell !== current) show(cell);
      });
      table.addEventListener("mouseout", function (event) {
        var cell = cellOf(event);
        if (cell && !cell.contains(event.relatedTarget)) hide();
      });
      table.addEventListener("focusin", function (event) {
        var cell = cellOf(event);
        if (cell) show(cell);
      });
      table.addEventListener("focusout", hide);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    drawCharts();
    cellTips();
  });
})();
