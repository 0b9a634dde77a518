/* Balances page: the live total of the ticked invoices, and the confirmation before paying.
   Amounts are added in whole cents (and rates in ten-thousandths) so the total shown is the
   one payment-service computes: MXN for USD = usd * rate, rounded half-up to the cent. */
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) { return; }
  var dialog = document.getElementById("pay-dialog");
  var payButton = document.getElementById("pay-button");
  var confirmed = false;

  // "1,234.5" -> 123450; null when not a plain amount with at most `places` decimals.
  function scaled(text, places) {
    var plain = String(text || "").replace(/[,$\s]/g, "");
    var match = new RegExp("^(\\d{1,12})(?:\\.(\\d{1," + places + "}))?$").exec(plain);
    if (!match) { return null; }
    var fraction = (match[2] || "");
    while (fraction.length < places) { fraction += "0"; }
    return parseInt(match[1], 10) * Math.pow(10, places) + parseInt(fraction || "0", 10);
  }

  function show(cents) {
    var whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = String(cents % 100);
    return whole + "." + (rest.length < 2 ? "0" + rest : rest);
  }

  function totals() {
    var result = {mxn: 0, usd: 0, pay: 0, count: 0, valid: true};
    var boxes = form.querySelectorAll('input[name="invoice"]');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (!box.checked || box.disabled) { continue; }
      var cents = scaled(document.getElementById("amount-" + box.value).value, 2);
      result.count += 1;
      if (cents === null || cents <= 0) { result.valid = false; continue; }
      if (box.dataset.currency === "USD") {
        var rate = scaled(box.dataset.rate, 4);
        if (rate === null) { result.valid = false; continue; }
        result.usd += cents;
        result.pay += Math.floor((cents * rate + 5000) / 10000);
      } else {
        result.mxn += cents;
        result.pay += cents;
      }
    }
    return result;
  }

  function update() {
    var t = totals();
    document.getElementById("total-count").textContent = String(t.count);
    document.getElementById("total-mxn").textContent = show(t.mxn);
    document.getElementById("total-usd").textContent = show(t.usd);
    document.getElementById("total-pay").textContent = show(t.pay);
    payButton.disabled = !(t.count > 0 && t.valid);
    return t;
  }

  // The pay panel stays at the bottom of the window: an invoice reached with Tab must be scrolled
  // above it, with its focus ring (3px and 2px apart), not left under it.
  var panel = document.getElementById("pay-panel");
  function keepClearOfPanel() {
    document.documentElement.style.scrollPaddingBottom = (panel.offsetHeight + 8) + "px";
  }
  keepClearOfPanel();
  if (typeof window.ResizeObserver === "function") {
    new window.ResizeObserver(keepClearOfPanel).observe(panel);
  } else {
    window.addEventListener("resize", keepClearOfPanel);
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // Kept whole by the browser and shown again by Back from the bank: what it shows is old (the
  // invoices went into transit meanwhile), so it is asked for again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  form.addEventListener("submit", function (event) {
    if (confirmed) {
      // On its way: a second click must not send the form again.
      payButton.disabled = true;
      return;
    }
    event.preventDefault();
    var t = update();
    if (!(t.count > 0 && t.valid)) { return; }
    document.getElementById("pay-dialog-total").textContent = show(t.pay);
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else if (window.confirm(dialog.textContent.replace(/\s+/g, " ").trim())) {
      confirmed = true;
      form.submit();
    }
  });

  document.getElementById("pay-cancel").addEventListener("click", function () { dialog.close(); });
  document.getElementById("pay-confirm").addEventListener("click", function () {
    confirmed = true;
    this.disabled = true;
    dialog.close();
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
  });

  update();
}());
