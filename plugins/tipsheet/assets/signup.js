/* tipsheet: the sign-up form in place. Without JavaScript the form is a plain POST to the list service and a
   page comes back; with it, the same fields go as JSON and the answer shows under the form. Nothing is
   requested before the reader presses Subscribe: then a short-lived form token is fetched first (the
   service may require it, to refuse blind POSTs), and any failure falls back to the plain POST. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-tipsheet-signup") || !window.fetch) return;
    event.preventDefault();
    var base = form.getAttribute("data-tipsheet-signup");
    var status = form.querySelector(".ts-signup__status");
    var button = form.querySelector("button[type=submit]");
    var data = new FormData(form);
    var body = {email: data.get("email"), topics: data.getAll("topics"), website: data.get("website") || "",
                form: data.get("form"), wording: data.get("wording")};
    var plain = function () { form.submit(); };
    button.disabled = true;
    status.className = "ts-signup__status";
    status.textContent = "Sending…";
    fetch(base + "form-token", {headers: {Accept: "application/json"}, credentials: "omit"})
      .then(function (answer) { return answer.ok ? answer.json() : {}; })
      .then(function (token) {
        body.form_token = token.token || "";
        return fetch(base + "subscribe", {method: "POST", credentials: "omit", body: JSON.stringify(body),
                                          headers: {"Content-Type": "application/json", Accept: "application/json"}});
      })
      .then(function (answer) { return answer.json(); })
      .then(function (answer) {
        button.disabled = false;
        status.className = "ts-signup__status " + (answer.ok ? "ts-signup__status--ok" : "ts-signup__status--error");
        status.textContent = answer.ok ? answer.message : answer.error;
        if (answer.ok) form.reset();
      })
      .catch(plain);
  });
})();
