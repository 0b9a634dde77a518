/* The return page of a payment the bank has not answered yet: asks for the page again every 2
   seconds in the background and shows it once the payment is no longer pending. The page stays
   put meanwhile, so the focus does too (on "Cancel payment", say); a refresh would move it back
   to the top every time. */
(function () {
  "use strict";
  var EVERY_MS = 2000;
  var status = document.getElementById("payment-status");
  if (!status || status.dataset.status !== "pending") { return; }

  function ask() {
    window.fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var now = new DOMParser().parseFromString(html, "text/html").getElementById("payment-status");
        // Answered, or a page that is not this one any more (signed out, an error): show it.
        if (!now || now.dataset.status !== "pending") {
          window.location.reload();
        } else {
          window.setTimeout(ask, EVERY_MS);
        }
      })
      .catch(function () { window.setTimeout(ask, EVERY_MS); });
  }

  window.setTimeout(ask, EVERY_MS);
}());
