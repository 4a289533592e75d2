/* The checks of a drug entry before saving (issue 10; trial and medication forms): while
   the entry is typed, the server checks it against the patient's record (POST to the form's
   data-preview address) and the drug-in-use alerts appear with the tick box that confirms
   them. The server checks again on save. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-drug-checks]");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !csrfMeta || !window.fetch || !window.FormData) { return; }
  var box = document.getElementById("drug-checks");
  var seen = document.getElementById("f-checks_seen");
  var confirmBox = document.getElementById("drug-confirm");
  var tick = document.getElementById("f-confirm_warnings");
  var timer = null;

  function para(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    if (text) { p.textContent = text; }
    return p;
  }

  function show(result) {
    var checks = result.checks || [];
    box.textContent = "";
    if (!checks.length) {
      var msg = Object.keys(result.errors || {}).length
        ? "Complete the form to see the checks." : "No checks for this entry.";
      box.appendChild(para("muted", msg));
    }
    checks.forEach(function (c) {
      var p = para("alert " + c.severity);
      p.setAttribute("data-check-id", c.id);
      var badge = document.createElement("span");
      badge.className = "badge " + c.severity;
      badge.textContent = c.severity;
      p.appendChild(badge);
      p.appendChild(document.createTextNode(" " + c.message));
      box.appendChild(p);
    });
    if (seen.value !== (result.checks_seen || "")) { tick.checked = false; }
    seen.value = result.checks_seen || "";
    confirmBox.hidden = !checks.length;
  }

  function preview() {
    var body = new FormData(form);
    body.delete("csrf_token");
    fetch(form.getAttribute("data-preview"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfMeta.getAttribute("content") }
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) { if (result) { show(result); } })
      .catch(function () { /* the server checks again on save */ });
  }

  function changed(event) {
    var name = event.target && event.target.name;
    if (name === "confirm_warnings" || name === "note") { return; }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(preview, 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
}());
