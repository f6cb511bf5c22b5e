// Dashboard panels: draw each panel's chart with Chart.js from the JSON the
// server embedded, switch between chart and table, follow a clicked point to
// the tickets behind it, and fetch fresh figures every minute while the tab
// is visible.
(() => {
  const COLOURS = ["#1f5fbf", "#e66a00", "#17803d", "#b42318", "#7b2cbf", "#0f8b8d",
                   "#8a6d00", "#5f6b7a", "#d6336c", "#2f9e44"];
  const PRIORITY_COLOURS = ["#b42318", "#e66a00", "#f5d547", "#9aa6b6"];
  const board = document.querySelector("[data-testid=dashboard]");
  if (!board || !window.Chart) return;
  const refreshMs = Number(board.dataset.refreshSeconds || 60) * 1000;
  const charts = new Map();
  let lastRefresh = Date.now();

  function formatValue(value, unit) {
    if (value === null || value === undefined) return "—";
    return unit === "percent" ? `${Number(value).toFixed(1)}%` : String(value);
  }

  function chartConfig(data) {
    const pie = data.kind === "pie";
    const datasets = data.series.map((series, index) => ({
      label: series.label,
      data: series.values,
      backgroundColor: pie ? PRIORITY_COLOURS : COLOURS[index % COLOURS.length],
      borderColor: pie ? "#fff" : COLOURS[index % COLOURS.length],
      tension: 0.2,
      spanGaps: true,
    }));
    const scales = pie ? {} : {
      x: { stacked: data.stacked },
      y: { stacked: data.stacked, beginAtZero: true,
           suggestedMax: data.unit === "percent" ? 100 : undefined,
           ticks: { precision: data.unit === "count" ? 0 : undefined,
                    callback: (value) => formatValue(value, data.unit) } },
    };
    return {
      type: data.kind,
      data: { labels: data.labels, datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, scales,
        plugins: {
          legend: { display: datasets.length > 1 || pie, position: "bottom" },
          tooltip: { callbacks: { label: (item) =>
            `${item.dataset.label}: ${formatValue(item.raw, data.unit)}` } },
        },
      },
    };
  }

  function drillUrl(data, datasetIndex, index) {
    const urls = (data.series[datasetIndex] || {}).urls || [];
    return urls[index] || null;
  }

  function draw(section, data) {
    const canvas = section.querySelector("canvas");
    if (!canvas) return;
    let chart = charts.get(section);
    if (!chart) {
      chart = new window.Chart(canvas, chartConfig(data));
      canvas.addEventListener("click", (event) => {
        const points = chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true);
        if (!points.length) return;
        const url = drillUrl(chart.$panel, points[0].datasetIndex, points[0].index);
        if (url) window.location.assign(url);
      });
      charts.set(section, chart);
    } else {
      const fresh = chartConfig(data);
      chart.data.labels = fresh.data.labels;
      chart.data.datasets = fresh.data.datasets;
      chart.update();
    }
    chart.$panel = data;
  }

  function cellContent(cell) {
    if (!cell.url) return document.createTextNode(cell.text);
    const link = document.createElement("a");
    link.href = cell.url;
    link.textContent = cell.text;
    return link;
  }

  function fillTable(section, table) {
    const head = section.querySelector("thead tr");
    head.replaceChildren(...table.columns.map((column) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = column;
      return th;
    }));
    const rows = table.rows.map((row) => {
      const tr = document.createElement("tr");
      row.forEach((cell, index) => {
        const element = document.createElement(index === 0 ? "th" : "td");
        if (index === 0) element.scope = "row";
        element.append(cellContent(cell));
        tr.append(element);
      });
      return tr;
    });
    if (!rows.length) {
      const empty = document.createElement("td");
      empty.className = "empty";
      empty.colSpan = table.columns.length;
      empty.textContent = section.querySelector("table").dataset.emptyLabel;
      rows.push(document.createElement("tr"));
      rows[0].append(empty);
    }
    section.querySelector("tbody").replaceChildren(...rows);
  }

  function fillHeadlines(section, headlines) {
    section.querySelector(".headlines").replaceChildren(...headlines.map((headline) => {
      const box = document.createElement("div");
      box.className = "headline";
      if (headline.met !== null) box.classList.add(headline.met ? "met" : "missed");
      box.dataset.key = headline.key;
      const value = document.createElement("span");
      value.className = "value";
      value.append(cellContent({ text: headline.text, url: headline.url }));
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = headline.label;
      box.append(value, " ", label);
      return box;
    }));
  }

  async function refresh(section) {
    const response = await fetch(section.dataset.url, {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!response.ok) return;
    const data = await response.json();
    draw(section, data);
    fillTable(section, data.table);
    fillHeadlines(section, data.headlines);
    section.dataset.refreshedAt = data.refreshed_at;
  }

  async function refreshAll() {
    lastRefresh = Date.now();
    const sections = [...board.querySelectorAll("[data-panel]")];
    await Promise.allSettled(sections.map(refresh));
    const stamp = document.querySelector("[data-testid=refreshed-at]");
    if (stamp) stamp.textContent = new Date().toLocaleTimeString();
  }

  board.querySelectorAll("[data-panel]").forEach((section) => {
    const script = section.querySelector("script[type='application/json']");
    draw(section, JSON.parse(script.textContent));
    const toggle = section.querySelector(".view-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", () => {
      const showTable = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", String(showTable));
      toggle.textContent = showTable ? toggle.dataset.chartLabel : toggle.dataset.tableLabel;
      section.querySelector(".table-view").hidden = !showTable;
      section.querySelector(".chart").hidden = showTable;
    });
  });

  // A hidden tab does not poll; coming back after a minute or more refreshes at once.
  setInterval(() => { if (!document.hidden) refreshAll(); }, refreshMs);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && Date.now() - lastRefresh >= refreshMs) refreshAll();
  });
})();
