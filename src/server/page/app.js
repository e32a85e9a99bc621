// The bench page: send the chosen files to /v1/screen and /v1/plot as one multipart form each,
// then show the verdict, the evidence, the channels and the plot.
"use strict";

const $ = (id) => document.getElementById(id);
const files = $("files");
const drop = $("drop");
let chosen = [];

const keyInput = $("api_key");
keyInput.value = localStorage.getItem("diamond-screen-key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("diamond-screen-key", keyInput.value));

function setFiles(list) {
  chosen = Array.from(list);
  $("file-list").replaceChildren(...chosen.map((f) => {
    const li = document.createElement("li");
    li.textContent = `${f.name} (${f.size} bytes)`;
    return li;
  }));
}

files.addEventListener("change", () => setFiles(files.files));
for (const ev of ["dragenter", "dragover"]) {
  drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
}
for (const ev of ["dragleave", "drop"]) {
  drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); });
}
drop.addEventListener("drop", (e) => setFiles(e.dataTransfer.files));

function form() {
  const fd = new FormData();
  for (const f of chosen) fd.append("files", f, f.name);
  for (const name of ["stone_id", "technique", "excitation_nm", "x_unit"]) {
    const v = $(name).value.trim();
    if (v) fd.append(name, v);
  }
  return fd;
}

function headers() {
  const k = keyInput.value.trim();
  return k ? { Authorization: `Bearer ${k}` } : {};
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

const num = (x, d = 3) => (x === null || x === undefined ? "" : Number(x).toFixed(d));

function showError(msg) {
  $("error").textContent = msg;
  $("error").hidden = false;
}

function show(v) {
  $("stone").textContent = v.stone_id;
  const verdict = $("verdict");
  verdict.textContent = v.verdict + (v.likely_origin ? ` (likely ${v.likely_origin})` : "");
  verdict.className = `verdict ${v.verdict}`;
  const p = v.p_synthetic === null ? "no model" : `p(synthetic) ${num(v.p_synthetic, 4)}`;
  const t = v.threshold === null ? "" : `, pass threshold ${num(v.threshold, 3)}`;
  $("summary").textContent = `${p}${t}; models: ${v.models.join(", ") || "none"}`;
  $("warnings").replaceChildren(...v.warnings.map((w) => {
    const li = document.createElement("li");
    li.textContent = w;
    return li;
  }));
  $("evidence").tBodies[0].replaceChildren(...v.evidence.map((e) => {
    const tr = document.createElement("tr");
    tr.append(cell(e.channel), cell(e.centre), cell(num(e.expected, 1), "num"),
      cell(num(e.observed, 1), "num"), cell(e.unit), cell(num(e.snr, 1), "num"),
      cell(num(e.strength, 3), "num"), cell(e.indicates));
    return tr;
  }));
  $("channels").tBodies[0].replaceChildren(...v.channels.map((c) => {
    const tr = document.createElement("tr");
    const pr = c.probabilities;
    tr.append(cell(c.file), cell(c.channel || ""), cell(c.model || ""),
      cell(pr ? num(pr.natural, 4) : "", "num"), cell(pr ? num(pr.cvd + pr.hpht, 4) : "", "num"),
      cell(pr ? num(pr.simulant, 4) : "", "num"), cell(c.usable ? "yes" : "no"),
      cell((c.problems || []).join("; ")));
    return tr;
  }));
  $("result").hidden = false;
}

$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("error").hidden = true;
  if (chosen.length === 0) {
    showError("Choose at least one spectrum file.");
    return;
  }
  $("submit").disabled = true;
  try {
    const r = await fetch("/v1/screen", { method: "POST", body: form(), headers: headers() });
    const body = await r.json();
    if (!r.ok) {
      $("result").hidden = true;
      showError(`${r.status} ${body.error}: ${body.detail}`);
      return;
    }
    show(body);
    const pr = await fetch("/v1/plot", { method: "POST", body: form(), headers: headers() });
    if (pr.ok) {
      const img = $("plot");
      const old = img.src;
      img.src = URL.createObjectURL(await pr.blob());
      if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    }
  } catch (err) {
    showError(`The service did not answer: ${err}`);
  } finally {
    $("submit").disabled = false;
  }
});
