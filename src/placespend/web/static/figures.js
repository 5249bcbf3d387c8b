// Draws each element with data-figure from the Plotly figure in the JSON script it names (served locally, no CDN).
document.addEventListener("DOMContentLoaded", function () {
  for (const el of document.querySelectorAll("[data-figure]")) {
    const fig = JSON.parse(document.getElementById(el.dataset.figure).textContent);
    Plotly.newPlot(el, fig.data, fig.layout || {}, {responsive: true, displaylogo: false})
      .then(function () { el.dataset.ready = "yes"; });
  }
});
