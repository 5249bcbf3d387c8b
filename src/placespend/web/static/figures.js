// Draws the page's Plotly figures (plotly.js served locally, no CDN), then marks each chart data-ready="yes":
// an element with data-figure from the JSON script it names, and each "chart-NAME" element from the entry NAME
// of the JSON script with id "figures" (the place page and the deep dives).
document.addEventListener("DOMContentLoaded", function () {
  const config = {responsive: true, displaylogo: false};
  function draw(el, fig) {
    Plotly.newPlot(el, fig.data, fig.layout || {}, config).then(function () { el.dataset.ready = "yes"; });
  }
  for (const el of document.querySelectorAll("[data-figure]")) {
    draw(el, JSON.parse(document.getElementById(el.dataset.figure).textContent));
  }
  const named = document.getElementById("figures");
  if (named) {
    for (const [name, fig] of Object.entries(JSON.parse(named.textContent))) {
      const el = document.getElementById("chart-" + name);
      if (el) draw(el, fig);
    }
  }
});
