// A guide's gallery: a click on a thumbnail shows the picture large in a <dialog> on the page.
// Without this script (or without <dialog>), the thumbnail is a link to the image's own page.
// The large view reuses the thumbnail's <picture> with sizes="100vw", so the browser picks the
// large rendition from the same srcset: no URL to build here, the signed ones are reused.
(function () {
  "use strict";
  var links = document.querySelectorAll(".guide-gallery a.gallery-link");
  if (!links.length || typeof HTMLDialogElement !== "function") {
    return;
  }
  var dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.setAttribute("aria-label", "Larger view");
  var form = document.createElement("form");
  form.method = "dialog";
  var close = document.createElement("button");
  close.type = "submit";
  close.className = "lightbox-close";
  close.textContent = "Close";
  form.appendChild(close);
  var figure = document.createElement("figure");
  var caption = document.createElement("figcaption");
  var pageLink = document.createElement("a");
  pageLink.textContent = "The picture's page";
  dialog.appendChild(form);
  dialog.appendChild(figure);
  document.body.appendChild(dialog);

  function show(link) {
    var picture = link.querySelector("picture").cloneNode(true);
    picture.querySelectorAll("source, img").forEach(function (element) {
      element.setAttribute("sizes", "100vw");
    });
    var img = picture.querySelector("img");
    img.loading = "eager";
    var text = link.closest("figure").querySelector("figcaption");
    caption.textContent = text ? text.textContent + " · " : "";
    pageLink.href = link.href;
    caption.appendChild(pageLink);
    figure.replaceChildren(picture, caption);
    dialog.showModal();
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      // A middle click or a modifier key opens the image's page, as a link does.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      show(link);
    });
  });
  // A click on the backdrop (outside the picture) closes, as Escape does.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) {
      dialog.close();
    }
  });
})();
