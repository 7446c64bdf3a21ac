/* The battle map (挂图作战): one Gantt-style chart per group, drawn by ECharts from the JSON the
 * page carries in <script type="application/json" id="saima-map"> (no inline script). Each
 * project is a row: a grey bar from its first to its last milestone, each milestone a point at
 * its date (the actual date once done, else the planned one) in its status's colour, and a line
 * for today. The server decided every status and wrote every word; this only draws them.
 * Clicking a project's name or one of its points opens the project. */
(function () {
  "use strict";

  var ROW = 30; // pixels per project
  var MARGIN = 80; // legend, axis and padding

  function day(text) {
    return Date.parse(text + "T00:00:00");
  }

  function spanSeries(group) {
    return {
      type: "custom",
      name: "span",
      silent: true,
      z: 1,
      clip: true,
      renderItem: function (params, api) {
        var start = api.coord([api.value(1), api.value(0)]);
        var end = api.coord([api.value(2), api.value(0)]);
        var height = api.size([0, 1])[1] * 0.28;
        return {
          type: "rect",
          shape: { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height },
          style: { fill: "#d5d9de" },
        };
      },
      encode: { x: [1, 2], y: 0 },
      data: group.spans.map(function (span) {
        return [span[0], day(span[1]), day(span[2])];
      }),
    };
  }

  function pointSeries(data, group, status) {
    var look = data.statuses[status];
    return {
      type: "scatter",
      name: look.label,
      z: 3,
      symbol: look.symbol,
      symbolSize: status === "overdue" ? 16 : 13,
      clip: true,
      itemStyle: { color: look.colour, borderColor: "#1b1f24", borderWidth: status === "due_soon" ? 1 : 0 },
      data: group.points
        .filter(function (point) {
          return point[2] === status;
        })
        .map(function (point) {
          return { value: [day(point[0]), point[1]], point: point };
        }),
    };
  }

  function tooltip(data, group) {
    return function (params) {
      var point = params.data && params.data.point;
      if (!point) return "";
      var lines = [
        "<strong>" + escape(group.projects[point[1]]) + "</strong>",
        escape(point[3]) + " · " + escape(data.statuses[point[2]].label),
        escape(data.labels.planned) + ": " + escape(point[4]),
        escape(data.labels.actual) + ": " + escape(point[5]),
      ];
      if (point[6] !== null && point[6] !== undefined) {
        lines.push(escape(data.labels.days_late) + ": " + point[6]);
      }
      return lines.join("<br>");
    };
  }

  function escape(text) {
    var element = document.createElement("span");
    element.textContent = text === null || text === undefined ? "" : String(text);
    return element.innerHTML;
  }

  function option(data, group) {
    var statuses = Object.keys(data.statuses);
    var series = [spanSeries(group)];
    statuses.forEach(function (status) {
      series.push(pointSeries(data, group, status));
    });
    series[0].markLine = {
      silent: true,
      symbol: "none",
      label: { formatter: data.labels.today + " " + data.today, position: "start", color: "#a33c00" },
      lineStyle: { color: "#d55e00", type: "dashed", width: 2 },
      data: [{ xAxis: day(data.today) }],
    };
    return {
      animation: false,
      grid: { left: 12, right: 24, top: 48, bottom: 28, containLabel: true },
      legend: {
        top: 0,
        data: statuses.map(function (status) {
          return data.statuses[status].label;
        }),
        textStyle: { fontSize: 13 },
      },
      tooltip: { trigger: "item", formatter: tooltip(data, group) },
      xAxis: {
        type: "time",
        min: day(data.min),
        max: day(data.max),
        splitLine: { show: true, lineStyle: { color: "#eef1f5" } },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: group.projects,
        triggerEvent: true,
        axisLabel: {
          width: 300,
          overflow: "truncate",
          fontSize: 13,
          lineHeight: 17,
          formatter: function (value, index) {
            return value + "\n" + (group.stages[index] || "");
          },
        },
      },
      series: series,
    };
  }

  function draw() {
    var source = document.getElementById("saima-map");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var drawn = [];
    data.groups.forEach(function (group) {
      var element = document.getElementById(group.id);
      if (!element) return;
      element.style.height = Math.max(group.projects.length * ROW * 1.4 + MARGIN, 140) + "px";
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(option(data, group));
      chart.on("click", function (params) {
        var index = null;
        if (params.componentType === "yAxis") index = group.projects.indexOf(params.value);
        else if (params.data && params.data.point) index = params.data.point[1];
        if (index !== null && index >= 0 && group.links[index]) window.location.assign(group.links[index]);
      });
      element.setAttribute("data-drawn", "1");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
