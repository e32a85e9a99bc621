#!/usr/bin/env python3
"""Writes the bad-input corpus: files/ (each a damaged or hostile variant of a simulated sample
file, or made from scratch) and cases.json (each case with its expected outcome). Requests that
are too big to keep as files (5 million points, 10,000 stones) are described in cases.json and
built by the test. Deterministic: run it again and nothing changes.

    python3 tests/bad_inputs/make.py

Expected outcomes ("expect"):
  {"status": 422, "contains": text}   a clear error naming the problem
  {"status": 200, "verdict": v}       a verdict record with this verdict
  {"status": 200, "same_as": file}    the verdict the undamaged base file gets (harmless variants)
  {"status": N, "error": code}        a request refused with this status and error code
"""
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILES = os.path.join(HERE, "files")
SAMPLES = os.path.join(ROOT, "sample-spectra")
NOTE = "# simulated: true (bad-input corpus, made by tests/bad_inputs/make.py from a simulated sample)\n"

cases = []


def add(name, data, expect, note):
    path = os.path.join(FILES, name)
    with open(path, "wb") as f:
        f.write(data)
    cases.append({"name": name, "file": f"files/{name}", "expect": expect, "what": note})


def err(text):
    return {"status": 422, "contains": text}


def split_csv(text):
    head, rows = [], []
    for line in text.splitlines():
        (rows if rows or (line[:1].isdigit()) else head).append(line)
    return head, rows


def csv(head, rows, eol="\n"):
    return (eol.join(head + rows) + eol).encode()


def csv_cases(base_name, label):
    text = open(os.path.join(SAMPLES, "csv", base_name)).read()
    raw = text.encode()
    head, rows = split_csv(text)
    same = {"status": 200, "same_as": f"sample-spectra/csv/{base_name}"}
    n = len(rows)
    p = f"{label}_"
    add(p + "truncated_header.csv", raw[: len(head[0]) // 2].replace(b"simulated", b"simul"), err("no data points"), "cut inside the first header line")
    add(p + "truncated_10pct.csv", csv(head, rows[: max(1, n // 10)]), {"status": 200, "verdict": "inconclusive"}, "first tenth of the rows (range too short)")
    add(p + "truncated_mid_row.csv", csv(head, rows[: n // 2])[:-4], None, "cut in the middle of a number")
    add(p + "truncated_after_x.csv", (csv(head, rows[: n // 2]).decode() + rows[n // 2].split(",")[0] + "\n").encode(), err("found one"), "last row has x only")
    add(p + "binary_garbage.bin", bytes(random.Random(1).randrange(256) for _ in range(4096)), err(""), "random bytes")
    add(p + "garbage_prefix.csv", b"\x89PNG\r\n\x1a\n\x00\x00" + raw, err("binary"), "binary header before the text")
    add(p + "nul_inside.csv", raw[: len(raw) // 2] + b"\x00" + raw[len(raw) // 2 :], err(""), "a NUL byte in the data")
    add(p + "utf16le_bom.csv", b"\xff\xfe" + text.encode("utf-16-le"), same, "UTF-16 LE with BOM")
    add(p + "utf16be_bom.csv", b"\xfe\xff" + text.encode("utf-16-be"), same, "UTF-16 BE with BOM")
    add(p + "latin1_meta.csv", csv(head + ["# operator: Zo\xe9 M\xfcller"], rows).decode().encode("latin-1"), same, "Latin-1 metadata")
    add(p + "utf8_bom.csv", b"\xef\xbb\xbf" + raw, same, "UTF-8 BOM")
    add(p + "crlf.csv", csv(head, rows, "\r\n"), same, "CRLF line ends")
    add(p + "nan_y.csv", csv(head, rows[:10] + [rows[10].split(",")[0] + ",nan"] + rows[11:]), err("NaN or infinite"), "NaN intensity")
    add(p + "inf_x.csv", csv(head, rows[:10] + ["inf," + rows[10].split(",")[1]] + rows[11:]), err("NaN or infinite"), "infinite x")
    add(p + "overflow_1e400.csv", csv(head, rows[:10] + [rows[10].split(",")[0] + ",1e400"] + rows[11:]), err("NaN or infinite"), "10^400 overflows to infinity")
    add(p + "huge_1e300.csv", csv(head, rows[:10] + [rows[10].split(",")[0] + ",1e300"] + rows[11:]), {"status": 200, "verdict": "inconclusive"}, "one intensity of 10^300")
    add(p + "all_huge_1e300.csv", csv(head, [r.split(",")[0] + ",1e300" for r in rows]), {"status": 200, "verdict": "inconclusive"}, "every intensity 10^300")
    if label == "ftir":
        add(p + "inverted_y.csv", csv(head, [r.split(",")[0] + "," + str(-float(r.split(",")[1])) for r in rows]), {"status": 200, "verdict": "inconclusive"}, "absorbance upside down")
    else:
        add(p + "negative_y.csv", csv(head, [r.split(",")[0] + "," + str(-abs(float(r.split(",")[1]))) for r in rows]), {"status": 200, "verdict": "inconclusive"}, "all intensities negative")
    add(p + "zero_y.csv", csv(head, [r.split(",")[0] + ",0" for r in rows]), {"status": 200, "verdict": "inconclusive"}, "all intensities zero")
    add(p + "constant_y.csv", csv(head, [r.split(",")[0] + ",1234.5" for r in rows]), {"status": 200, "verdict": "inconclusive"}, "flat line")
    add(p + "duplicated_x.csv", csv(head, rows[:20] + [rows[20]] + rows[20:]), same, "a row repeated (equal x merged)")
    add(p + "unsorted_x.csv", csv(head, rows[:20] + [rows[21], rows[20]] + rows[22:]), err("not monotonic"), "two rows swapped")
    add(p + "reversed_x.csv", csv(head, rows[::-1]), same, "descending x (allowed)")
    add(p + "single_point.csv", csv(head, rows[:1]), err("at least 16"), "one point")
    add(p + "fifteen_points.csv", csv(head, rows[:15]), err("at least 16"), "fifteen points")
    add(p + "header_only.csv", csv(head, []), err("no data points"), "metadata, no data")
    add(p + "empty.csv", b"", err("no data points"), "zero bytes")
    add(p + "text_row.csv", csv(head, rows[:30] + ["peak,here"] + rows[30:]), err("expected two numbers"), "a text row inside the data")
    add(p + "long_line.csv", csv(head, rows[:30] + ["1" * 100_000 + ",2"] + rows[30:]), err("NaN or infinite"), "a 100 kB number (overflows)")
    add(p + "three_columns.csv", csv(head, [r + ",0.5" for r in rows]), same, "an extra column (ignored)")
    add(p + "semicolon_decimal_comma.csv", csv(head, [r.replace(",", ";").replace(".", ",") for r in rows]), same, "European CSV: ; and decimal commas")
    add(p + "tabs.tsv", csv(head, [r.replace(",", "\t") for r in rows]), same, "tab separated")
    top = 0.6 * max(float(r.split(",")[1]) for r in rows)
    add(p + "saturated.csv", csv(head, [r.split(",")[0] + "," + str(min(float(r.split(",")[1]), top)) for r in rows]), {"status": 200, "verdict": "inconclusive"}, "clipped at a detector ceiling")
    rng = random.Random(7)
    add(p + "pure_noise.csv", csv(head, [r.split(",")[0] + "," + f"{rng.gauss(100, 30):.2f}" for r in rows]), {"status": 200, "verdict": "inconclusive"}, "noise, no signal")


def meta_cases():
    text = open(os.path.join(SAMPLES, "csv", "SIM103-000000_pl532.csv")).read()
    head, rows = split_csv(text)
    def with_meta(k, v):
        return [l if not l.startswith(f"# {k}:") else f"# {k}: {v}" for l in head]
    add("meta_x_unit_cm1_for_pl.csv", csv(with_meta("x_unit", "cm-1"), rows), {"status": 200, "verdict": "inconclusive"}, "PL file claiming wavenumbers (x contradicts the technique)")
    add("meta_x_unit_raman_shift.csv", csv(with_meta("x_unit", "raman shift cm-1"), rows), {"status": 200, "verdict": "inconclusive"}, "wavelengths labelled as Raman shift")
    add("meta_excitation_inside_range.csv", csv(with_meta("excitation_nm", "700"), rows), {"status": 200, "verdict": "inconclusive"}, "excitation inside the measured range")
    add("meta_excitation_negative.csv", csv(with_meta("excitation_nm", "-532"), rows), {"status": 200, "verdict": "inconclusive"}, "negative excitation (PL without a usable laser line)")
    add("meta_excitation_text.csv", csv(with_meta("excitation_nm", "laser"), rows), {"status": 200, "verdict": "inconclusive"}, "excitation not a number")
    add("meta_technique_unknown.csv", csv(with_meta("technique", "xrf"), rows), {"status": 200, "verdict": "inconclusive"}, "a technique not screened")
    add("meta_technique_ftir_for_pl.csv", csv(with_meta("technique", "ftir"), rows), {"status": 200, "verdict": "inconclusive"}, "PL data labelled FTIR")
    add("meta_temperature_negative.csv", csv(with_meta("temperature_k", "-5"), rows), {"status": 200, "same_as": "sample-spectra/csv/SIM103-000000_pl532.csv"}, "negative temperature (ignored, kept as text)")
    add("meta_huge_value.csv", csv(head + ["# comment: " + "x" * 200_000], rows), {"status": 200, "same_as": "sample-spectra/csv/SIM103-000000_pl532.csv"}, "a 200 kB metadata value")
    add("meta_control_chars.csv", csv(head + ["# operator: \x1b[31mred\x07"], rows), {"status": 200, "same_as": "sample-spectra/csv/SIM103-000000_pl532.csv"}, "control characters in metadata")


def jcamp_cases():
    text = open(os.path.join(SAMPLES, "jcamp", "SIM103-000000_ftir.jdx")).read()
    lines = text.splitlines()
    same = {"status": 200, "same_as": "sample-spectra/jcamp/SIM103-000000_ftir.jdx"}
    body_start = next(i for i, l in enumerate(lines) if l.startswith("##XYDATA") or l.startswith("##XYPOINTS")) + 1
    def jdx(ls):
        return ("\n".join(ls) + "\n").encode()
    n = len(lines)
    add("jcamp_truncated_half.jdx", jdx(lines[: (body_start + n) // 2]), None, "JCAMP-DX cut half-way, no ##END")
    add("jcamp_no_end.jdx", jdx([l for l in lines if not l.startswith("##END")]), None, "no ##END")
    add("jcamp_headers_only.jdx", jdx(lines[:body_start]), err(""), "headers, no data")
    add("jcamp_npoints_wrong.jdx", jdx([("##NPOINTS=99999" if l.startswith("##NPOINTS") else l) for l in lines]), err("NPOINTS"), "NPOINTS disagrees with the data")
    add("jcamp_firstx_wrong.jdx", jdx([("##FIRSTX=1" if l.startswith("##FIRSTX") else l) for l in lines]), err(""), "FIRSTX disagrees with the data")
    add("jcamp_yfactor_zero.jdx", jdx([("##YFACTOR=0" if l.startswith("##YFACTOR") else l) for l in lines]), None, "YFACTOR zero")
    add("jcamp_xfactor_nan.jdx", jdx([("##XFACTOR=nan" if l.startswith("##XFACTOR") else l) for l in lines]), err(""), "XFACTOR NaN")
    add("jcamp_garbage_data_line.jdx", jdx(lines[: body_start + 5] + ["@@@@ ???? !!!!"] + lines[body_start + 5 :]), err(""), "garbage inside the data table")
    add("jcamp_crlf.jdx", ("\r\n".join(lines) + "\r\n").encode(), same, "CRLF line ends")
    add("jcamp_utf16.jdx", b"\xff\xfe" + ("\n".join(lines) + "\n").encode("utf-16-le"), same, "UTF-16 LE")
    add("jcamp_link_block.jdx", b"##TITLE=x\n##JCAMP-DX=5.01\n##BLOCKS=2\n##DATA TYPE=LINK\n##END=\n", err(""), "a LINK block with no spectrum")
    add("jcamp_ntuples.jdx", b"##TITLE=x\n##JCAMP-DX=5.01\n##DATA TYPE=NMR SPECTRUM\n##NTUPLES=NMR SPECTRUM\n##VAR_NAME=FREQ,REAL\n##END NTUPLES=NMR SPECTRUM\n##END=\n", err(""), "NTUPLES (not supported)")
    add("jcamp_dif_no_start.jdx", b"##TITLE=x\n##JCAMP-DX=4.24\n##XUNITS=1/CM\n##YUNITS=ABSORBANCE\n##FIRSTX=1000\n##LASTX=1019\n##NPOINTS=20\n##XFACTOR=1\n##YFACTOR=1\n##XYDATA=(X++(Y..Y))\n1000 JJJJJJJJ\n##END=\n", err(""), "DIF with no value to start from")
    add("jcamp_dup_huge.jdx", b"##TITLE=x\n##JCAMP-DX=4.24\n##XUNITS=1/CM\n##YUNITS=ABSORBANCE\n##FIRSTX=1000\n##LASTX=1019\n##NPOINTS=20\n##XFACTOR=1\n##YFACTOR=1\n##XYDATA=(X++(Y..Y))\n1000 A1s99999999\n##END=\n", err(""), "DUP count of 10^8")


def json_cases():
    base = json.load(open(os.path.join(SAMPLES, "json", "SIM103-000000.json")))
    same = {"status": 200, "same_as": "sample-spectra/json/SIM103-000000.json"}
    def j(obj):
        return json.dumps(obj).encode()
    s0 = base["spectra"][0]
    def spec(**kw):
        d = dict(s0)
        d.update(kw)
        return d
    add("json_truncated.json", j(base)[:5000], err(""), "JSON cut off")
    add("json_not_object.json", b"[1,2,3]", err(""), "an array, not a stone")
    add("json_string.json", b"\"stone\"", err(""), "a string")
    add("json_null.json", b"null", err(""), "null")
    add("json_deep_nesting.json", b"[" * 100_000 + b"]" * 100_000, err(""), "nested 100,000 deep")
    add("json_deep_object.json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, err(""), "objects nested 50,000 deep")
    add("json_no_spectra.json", j({"stone_id": "X"}), err("spectra"), "no spectra field")
    add("json_empty_spectra.json", j({"stone_id": "X", "spectra": []}), err(""), "no spectra")
    add("json_x_y_mismatch.json", j({"stone_id": "X", "spectra": [spec(y=s0["y"][:-5])]}), err(""), "x and y of different lengths")
    add("json_x_strings.json", j({"stone_id": "X", "spectra": [spec(x=[str(v) for v in s0["x"]])]}), err(""), "x as strings")
    add("json_y_nulls.json", j({"stone_id": "X", "spectra": [spec(y=[None] * len(s0["y"]))]}), err(""), "y all null")
    add("json_nan_literal.json", j(base).replace(b'"y": [', b'"y": [NaN, ', 1), err(""), "a NaN literal (not JSON)")
    add("json_1e400.json", j(base).replace(b'"y": [', b'"y": [1e400, ', 1), err(""), "10^400")
    add("json_single_point.json", j({"stone_id": "X", "spectra": [spec(x=[540.0], y=[1.0])]}), err("at least 16"), "one point")
    add("json_unsorted.json", j({"stone_id": "X", "spectra": [spec(x=s0["x"][:30] + [s0["x"][0]] + s0["x"][31:])]}), err("not monotonic"), "x jumps back")
    add("json_negative_y.json", j({"stone_id": "X", "spectra": [spec(y=[-abs(v) for v in s0["y"]])]}), {"status": 200, "verdict": "inconclusive"}, "negative intensities")
    add("json_zero_y.json", j({"stone_id": "X", "spectra": [spec(y=[0.0] * len(s0["y"]))]}), {"status": 200, "verdict": "inconclusive"}, "zero intensities")
    add("json_wrong_unit.json", j({"stone_id": "X", "spectra": [spec(x_unit="furlongs")]}), err("unknown x_unit"), "an unknown x unit")
    add("json_ftir_unit_for_pl.json", j({"stone_id": "X", "spectra": [spec(x_unit="cm-1")]}), {"status": 200, "verdict": "inconclusive"}, "PL in wavenumbers (contradiction)")
    add("json_excitation_in_range.json", j({"stone_id": "X", "spectra": [spec(excitation_nm=650.0)]}), {"status": 200, "verdict": "inconclusive"}, "excitation inside the measured range")
    add("json_extra_fields.json", j(dict(base, extra={"a": [1, 2, 3]}, spectra=[dict(s, note="x") for s in base["spectra"]])), same, "unknown fields (ignored)")
    add("json_stone_id_huge.json", j(dict(base, stone_id="S" * 100_000)), {"status": 200, "verdict": "natural"}, "a 100 kB stone id")
    add("json_many_spectra.json", j(dict(base, spectra=[s0] * 17)), {"status": 413, "error": "too_large"}, "17 spectra in one stone")
    add("json_invalid_utf8.json", j(base).replace(b"SIM103", b"SIM\xff\xfe3", 1), same, "invalid UTF-8 in a string (read as Latin-1)")
    add("json_utf16.json", b"\xff\xfe" + json.dumps(base).encode("utf-16-le"), same, "UTF-16 JSON file")
    add("json_temperature_text.json", j({"stone_id": "X", "spectra": [spec(temperature_k="cold")]}), err(""), "temperature as text")


def vendor_cases():
    """Files that carry a vendor format's signature (or name) but no valid content, made here
    from scratch: each must be a clear 422 naming the file, never a crash or a hang. The real
    vendor files are damaged in memory by tests/lab_files.rs (they are not copied here)."""
    rng = random.Random(11)
    noise = lambda n: bytes(rng.randrange(256) for _ in range(n))
    andor = b"Andor Technology Multi-Channel File\n"
    add("vendor_opus_magic_only.0", b"\x0a\x0a\xfe\xfe" + noise(2000), err("Bruker OPUS"), "OPUS signature, random blocks")
    add("vendor_opus_short.0", b"\x0a\x0a", err("OPUS"), "an OPUS file cut after two bytes")
    add("vendor_omnic_magic.spa", b"Spectral Data File" + noise(3000), err("OMNIC"), "OMNIC signature, random header")
    add("vendor_wdf_magic.wdf", b"WDF1" + noise(3000), err("WiRE"), "WiRE signature, random blocks")
    add("vendor_spc_random.spc", b"\x00\x4b" + noise(600), err("SPC"), "an SPC header of random values")
    add("vendor_sif_header_only.sif", andor + b"65538 1\n", err("Andor SIF"), "a SIF file cut after its version line")
    add("vendor_sif_noise.sif", andor + noise(5000), err("Andor SIF"), "SIF signature, random bytes")
    add("vendor_sif_huge_user_text.sif", andor + b"65538 1\nx\nDU\n1 1\nf\n65538 99999999999\n", err("Andor SIF"), "a SIF user-text block longer than the file")
    add("vendor_spe_noise.spe", noise(5000), err("SPE"), "an .spe of random bytes")
    add("vendor_spe_short.spe", noise(100), err(""), "an .spe shorter than its header")
    add("vendor_l6s.l6s", b"LabSpec6" + noise(500), err("no public description"), "Horiba LabSpec 6 binary")


requests = []


def req(name, method, path, expect, note, content_type=None, body=None, body_file=None, generate=None):
    r = {"name": name, "method": method, "path": path, "expect": expect, "what": note}
    if content_type is not None:
        r["content_type"] = content_type
    if body is not None:
        r["body"] = body
    if body_file is not None:
        r["body_file"] = body_file
    if generate is not None:
        r["generate"] = generate
    requests.append(r)


def refused(status, code):
    return {"status": status, "error": code}


def request_cases():
    stone = "sample-spectra/json/SIM103-000000.json"
    one = json.load(open(os.path.join(SAMPLES, "json", "SIM103-000000.json")))
    req("screen_text_plain", "POST", "/v1/screen", refused(415, "unsupported_media_type"), "JSON sent as text/plain", "text/plain", body_file=stone)
    req("screen_xml", "POST", "/v1/screen", refused(415, "unsupported_media_type"), "XML content type", "application/xml", body="<stone/>")
    req("screen_no_content_type", "POST", "/v1/screen", refused(415, "unsupported_media_type"), "no content type", None, body_file=stone)
    req("screen_empty_body", "POST", "/v1/screen", refused(400, "invalid_json"), "empty JSON body", "application/json", body="")
    req("screen_invalid_json", "POST", "/v1/screen", refused(400, "invalid_json"), "broken JSON", "application/json", body="{\"spectra\": [")
    req("screen_multipart_no_files", "POST", "/v1/screen", refused(422, "invalid_input"), "multipart with fields only", generate={"multipart": {"fields": {"stone_id": "A"}}})
    req("screen_multipart_empty_file", "POST", "/v1/screen", refused(422, "invalid_input"), "multipart with an empty file", generate={"multipart": {"files": {"empty.csv": ""}}})
    req("screen_multipart_no_boundary", "POST", "/v1/screen", refused(400, "invalid_multipart"), "multipart content type without a boundary", "multipart/form-data", body="--x\r\n")
    req("screen_multipart_broken", "POST", "/v1/screen", refused(400, "invalid_multipart"), "multipart body that never ends", "multipart/form-data; boundary=XYZ", body="--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n500,1\n")
    req("screen_multipart_bad_excitation", "POST", "/v1/screen", refused(422, "invalid_input"), "excitation field not a number", generate={"multipart": {"fields": {"excitation_nm": "green"}, "files": {"a.csv": "@sample-spectra/csv/SIM103-000000_pl532.csv"}}})
    req("screen_5M_points", "POST", "/v1/screen", {"status": 422, "contains": "at most 2000000"}, "one spectrum of 5,000,000 points (an 85 MB body, under the 100 MB limit of this test's server)", "application/json", generate={"points": 5_000_000})
    req("screen_body_over_limit", "POST", "/v1/screen", refused(413, "too_large"), "a body over the configured limit (110 MB)", "application/json", generate={"bytes": 110_000_000})
    req("batch_10000_stones", "POST", "/v1/screen/batch", refused(413, "too_large"), "10,000 stones in one batch", "application/json", generate={"stones": 10_000})
    req("batch_51_stones", "POST", "/v1/screen/batch", refused(413, "too_large"), "one stone over --max-stones", "application/json", generate={"stones": 51})
    req("batch_not_list", "POST", "/v1/screen/batch", refused(422, "invalid_input"), "stones not a list", "application/json", body=json.dumps({"stones": {"a": 1}}))
    req("batch_empty", "POST", "/v1/screen/batch", refused(422, "invalid_input"), "no stones", "application/json", body=json.dumps({"stones": []}))
    req("parcel_sample_larger", "POST", "/v1/parcels", refused(422, "invalid_input"), "sample larger than the parcel", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": 1, "stones": [one, one]}))
    req("parcel_size_zero", "POST", "/v1/parcels", refused(422, "invalid_input"), "parcel of zero stones", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": 0, "stones": [one]}))
    req("parcel_size_negative", "POST", "/v1/parcels", refused(422, "invalid_input"), "negative parcel size", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": -5, "stones": [one]}))
    req("parcel_declared_synthetic", "POST", "/v1/parcels", refused(422, "invalid_input"), "parcel declared synthetic", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": 10, "declared_origin": "cvd", "stones": [one]}))
    req("parcel_max_share_one", "POST", "/v1/parcels", refused(422, "invalid_input"), "tolerated share of 1", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": 10, "max_share": 1.0, "stones": [one]}))
    req("parcel_confidence_zero", "POST", "/v1/parcels", refused(422, "invalid_input"), "confidence 0", "application/json", body=json.dumps({"parcel_id": "P", "parcel_size": 10, "confidence": 0.0, "stones": [one]}))
    req("parcel_no_id", "POST", "/v1/parcels", refused(422, "invalid_input"), "no parcel id", "application/json", body=json.dumps({"parcel_size": 10, "stones": [one]}))
    req("plan_missing_size", "GET", "/v1/sampling-plan", refused(400, "invalid_query"), "no parcel size", None)
    req("plan_negative", "GET", "/v1/sampling-plan?parcel_size=-3", refused(400, "invalid_query"), "negative parcel size", None)
    req("plan_share_nan", "GET", "/v1/sampling-plan?parcel_size=100&max_share=NaN", refused(422, "invalid_input"), "NaN share", None)
    req("plan_confidence_one", "GET", "/v1/sampling-plan?parcel_size=100&confidence=1", refused(422, "invalid_input"), "confidence 1", None)
    req("plan_huge_parcel", "GET", "/v1/sampling-plan?parcel_size=18446744073709551615", {"status": 422, "contains": "parcel"}, "a parcel over the largest computed (10^9 stones)", None)
    req("plan_share_below_one_stone", "GET", "/v1/sampling-plan?parcel_size=100000&max_share=0.0000001&confidence=0.999999", {"status": 422, "contains": "less than one stone"}, "a share below one stone (once 34 s of CPU)", None)
    req("plan_extreme_confidence", "GET", "/v1/sampling-plan?parcel_size=10000000&max_share=0.000001&confidence=0.9999999", {"status": 200}, "10^7 stones at 0.0001% and 99.99999% (once took the service down)", None)
    req("plan_whole_parcel", "GET", "/v1/sampling-plan?parcel_size=20&max_share=0.05&confidence=0.999999", {"status": 422, "contains": "screen every stone"}, "a confidence only the whole parcel gives", None)
    req("get_on_post_route", "GET", "/v1/screen", refused(405, "method_not_allowed"), "GET on a POST route", None)
    req("post_on_get_route", "POST", "/v1/models", refused(405, "method_not_allowed"), "POST on a GET route", "application/json", body="{}")
    req("unknown_route", "GET", "/v2/screen", refused(404, "not_found"), "no such route", None)
    req("path_traversal", "GET", "/../../etc/passwd", refused(404, "not_found"), "path traversal", None)


def main():
    random.seed(0)
    shutil.rmtree(FILES, ignore_errors=True)
    os.makedirs(FILES)
    csv_cases("SIM103-000000_pl532.csv", "pl532")
    csv_cases("SIM103-000000_pl405.csv", "pl405")
    csv_cases("SIM103-000000_ftir.csv", "ftir")
    meta_cases()
    jcamp_cases()
    json_cases()
    vendor_cases()
    request_cases()
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"files": cases, "requests": requests}, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} file cases, {len(requests)} request cases")


if __name__ == "__main__":
    main()
