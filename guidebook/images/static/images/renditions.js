/* Images whose renditions are still being made carry data-renditions-url, a JSON status URL.
   Poll each one every second; once none is pending (ready, or failed for good), reload the page
   once to show them or say why they could not be made. Give up after about two minutes (the
   worker may be down): the page still works as it is. */
(function () {
  "use strict";

  var INTERVAL = 1000;
  var MAX_POLLS = 120;

  function start() {
    var elements = document.querySelectorAll("[data-renditions-url]");
    if (!elements.length || !window.fetch) return;
    var pending = {};
    var count = 0;
    Array.prototype.forEach.call(elements, function (element) {
      var url = element.getAttribute("data-renditions-url");
      if (url && !pending[url]) { pending[url] = true; count += 1; }
    });
    var polls = 0;

    function check(url) {
      return fetch(url, { credentials: "same-origin", cache: "no-store",
                          headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          // A failure is final: the server says so on the reloaded page, and we stop asking.
          if (data && (data.ready || data.failed) && pending[url]) {
            delete pending[url];
            count -= 1;
          }
        })
        .catch(function () { /* a network hiccup: try again next time */ });
    }

    function tick() {
      polls += 1;
      Promise.all(Object.keys(pending).map(check)).then(function () {
        if (count === 0) {
          window.location.reload();
        } else if (polls < MAX_POLLS) {
          window.setTimeout(tick, INTERVAL);
        }
      });
    }

    window.setTimeout(tick, INTERVAL);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
