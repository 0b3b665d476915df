// A part of a page (the start page's, the release page's record) that htmx could not load (a server error, the network down)
// stops looking busy and says so; its link still opens it as a page of its own.
(function () {
  function failed(event) {
    var part = event.detail.elt;
    if (!part.matches || !part.matches(".start-part, .page-part")) return;
    var busy = part.querySelector("[aria-busy]");
    if (busy) busy.setAttribute("aria-busy", "false");
    if (part.querySelector(".part-failed")) return;
    var note = document.createElement("p");
    note.className = "part-failed";
    note.setAttribute("role", "alert");
    note.textContent = "This part could not be loaded. Open it with the link above, or reload the page.";
    part.appendChild(note);
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
