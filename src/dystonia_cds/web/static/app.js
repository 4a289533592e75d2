/* dystonia-cds web app: small progressive enhancements (no external code).
   - injection form: running total of units against the product's labelled maximum, and
     the server's checks (interval, maxima) fetched as you type, before saving;
   - rating-scale form: live total and subscale scores.
   Everything is written with textContent (never innerHTML). */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.getAttribute("data-json")); } catch (e) { return null; }
  }

  function fmt(n) { return Math.round(n * 10) / 10; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* ------------------------------------------------------------ injection visit */
  function setupInjection(form) {
    var data = readJson("bont-data");
    var csrfMeta = document.querySelector('meta[name="csrf-token"]');
    var totalEl = document.getElementById("total-units");
    var runEl = document.getElementById("running-total");
    var maxEl = document.getElementById("label-max");
    var checksEl = document.getElementById("checks");
    var timer = null;

    function total() {
      var sum = 0;
      form.querySelectorAll("input.units").forEach(function (input) {
        var v = parseFloat(input.value);
        if (!isNaN(v) && v > 0) { sum += v; }
      });
      return sum;
    }

    function limitsFor(product, indication) {
      if (!data || !data.limits[product]) { return []; }
      return data.limits[product].filter(function (l) {
        return !l.indication || l.indication === indication;
      });
    }

    function updateTotal() {
      var sum = total();
      var product = form.elements.product.value;
      var limits = limitsFor(product, form.elements.indication.value);
      totalEl.textContent = String(fmt(sum));
      var over = limits.some(function (l) { return sum > l.max; });
      runEl.classList.toggle("over", over);
      var reasonBox = document.getElementById("over-max-reason");
      if (reasonBox && !reasonBox.hasAttribute("data-server-over")) { reasonBox.hidden = !over; }
      if (!product) {
        maxEl.textContent = "Choose a product to see its labelled maximum.";
      } else if (!limits.length) {
        maxEl.textContent = "No labelled maximum for " + product + " in the knowledge base.";
      } else {
        maxEl.textContent = limits.map(function (l) {
          return "Labelled maximum " + l.max + " U (" + l.text + ", " + l.source + ")";
        }).join("; ") + (over ? " — the total is ABOVE a labelled maximum." : ".");
      }
    }

    function showChecks(result) {
      checksEl.textContent = "";
      var checks = (result && result.checks) || [];
      if (!checks.length) {
        var msg = result && result.errors && Object.keys(result.errors).length
          ? "Complete the form to see the checks." : "No warnings for this visit.";
        checksEl.appendChild(el("p", "muted", msg));
        return;
      }
      checks.forEach(function (c) {
        var p = el("p", "alert " + c.severity);
        p.setAttribute("data-check-id", c.id);
        p.appendChild(el("span", "badge " + c.severity, c.severity));
        p.appendChild(document.createTextNode(" " + c.message));
        checksEl.appendChild(p);
      });
    }

    function preview() {
      if (!csrfMeta || !window.fetch) { return; }
      var body = new FormData(form);
      body.delete("csrf_token");
      fetch(form.getAttribute("data-preview"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfMeta.getAttribute("content") }
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) { if (result) { showChecks(result); } })
        .catch(function () { /* the server re-checks on save */ });
    }

    function changed() {
      updateTotal();
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(preview, 300);
    }

    function filterMuscles() {
      var indication = data && data.indications.filter(function (i) {
        return i.id === form.elements.indication.value;
      })[0];
      form.querySelectorAll("select[name^='muscle-'] option[data-region]").forEach(function (opt) {
        var allowed = !indication || indication.regions.indexOf(opt.getAttribute("data-region")) >= 0;
        opt.hidden = !allowed;
        opt.disabled = !allowed && !opt.selected;
      });
    }

    function addRow() {
      var rows = document.getElementById("muscle-rows");
      var last = rows.lastElementChild;
      var index = rows.children.length;
      if (!last || index >= 40) { return; }
      var row = last.cloneNode(true);
      row.setAttribute("data-row", String(index));
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      row.querySelectorAll("label").forEach(function (label) {
        var target = label.getAttribute("for").replace(/-\d+$/, "-" + index);
        label.setAttribute("for", target);
        if (target.indexOf("f-muscle-") === 0) { label.textContent = "Muscle " + (index + 1); }
      });
      row.querySelectorAll("select, input").forEach(function (field) {
        var name = field.name.replace(/-\d+$/, "-" + index);
        field.name = name;
        field.id = "f-" + name;
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        field.value = "";
      });
      rows.appendChild(row);
      row.querySelector("select").focus();
    }

    var add = document.getElementById("add-muscle-row");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", addRow);
    }
    form.elements.indication.addEventListener("change", filterMuscles);
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    filterMuscles();
    updateTotal();
  }

  /* ------------------------------------------------------------ rating scales */
  function setupScale(form) {
    var def = readJson("scale-def");
    var totalEl = document.getElementById("scale-total");
    var subEl = document.getElementById("scale-subtotals");
    if (!def) { return; }
    var inProduct = {};
    def.products.forEach(function (p) { inProduct[p.factors[0]] = true; inProduct[p.factors[1]] = true; });

    function value(key) {
      var input = form.elements["item-" + key];
      var v = input ? parseInt(input.value, 10) : NaN;
      return isNaN(v) ? null : v;
    }

    /* a part marked "not examined" (BFMDRS disability): its items are disabled (not sent,
       not counted) and left out of the total */
    function skipped() {
      var out = {};
      form.querySelectorAll("input.skip-part").forEach(function (box) {
        var part = box.getAttribute("data-part");
        if (box.checked) { out[part] = true; }
        form.querySelectorAll('input.scale-item[data-part="' + part + '"]').forEach(function (i) {
          i.disabled = box.checked;
        });
      });
      return out;
    }

    function update() {
      var subs = {}, missing = 0, invalid = 0, plain = 0, skip = skipped();
      def.subscales.forEach(function (s) { if (!skip[s]) { subs[s] = 0; } });
      def.items.forEach(function (item) {
        if (item.subscale && skip[item.subscale]) { return; }
        var v = value(item.key);
        var input = form.elements["item-" + item.key];
        var bad = v !== null && (v < item.min || v > item.max);
        input.setAttribute("aria-invalid", bad ? "true" : "false");
        if (v === null) { missing += 1; return; }
        if (bad) { invalid += 1; return; }
        if (inProduct[item.key]) { return; }
        if (item.subscale) { subs[item.subscale] += item.weight * v; } else { plain += item.weight * v; }
      });
      def.products.forEach(function (p) {
        var a = value(p.factors[0]), b = value(p.factors[1]);
        if (a !== null && b !== null && !skip[p.subscale]) { subs[p.subscale] += p.weight * a * b; }
      });
      var sum = plain;
      Object.keys(subs).forEach(function (k) { sum += subs[k]; });
      totalEl.textContent = String(fmt(sum)) + (missing ? " (so far; " + missing + " item(s) left)" : "");
      if (invalid) { totalEl.textContent += " — " + invalid + " value(s) out of range"; }
      subEl.textContent = def.subscales.length ? " · " + Object.keys(subs).map(function (k) {
        return k + " " + fmt(subs[k]);
      }).join(" · ") : "";
    }

    form.addEventListener("input", update);
    update();
  }

  /* ------------------------------------------------------------ body map */
  function setupBodyMap(map) {
    var parts = map.querySelectorAll(".part[data-region]");
    function boxOf(part) {
      return map.querySelector('input[value="' + part.getAttribute("data-region") + '"]');
    }
    function sync() {
      parts.forEach(function (part) {
        var box = boxOf(part);
        part.setAttribute("aria-checked", box && box.checked ? "true" : "false");
      });
    }
    function toggle(part) {
      var box = boxOf(part);
      if (box) { box.checked = !box.checked; sync(); }
    }
    parts.forEach(function (part) {
      part.addEventListener("click", function () { toggle(part); });
      part.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(part); }
      });
    });
    map.addEventListener("change", sync);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".body-map").forEach(setupBodyMap);
    var inj = document.getElementById("injection-form");
    if (inj) { setupInjection(inj); }
    var scale = document.getElementById("scale-form");
    if (scale) { setupScale(scale); }
  });
}());
