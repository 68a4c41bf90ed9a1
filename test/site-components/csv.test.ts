// CSV export: RFC 4180 quoting and formula-injection neutralised.
import assert from "node:assert/strict";
import {test} from "node:test";
import {csvCell, toCsv} from "../../src/components/csv.js";

test("cells that a spreadsheet would run as formulas get a leading apostrophe", () => {
  for (const evil of ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) assert.ok(csvCell(evil).replace(/^"/, "").startsWith("'"), evil);
  assert.equal(csvCell("=1+1"), "'=1+1");
  assert.equal(csvCell(-5), "-5", "numbers stay numbers");
  assert.equal(csvCell("/index.html"), "/index.html");
});

test("quotes, commas and newlines are quoted the RFC 4180 way; null is empty", () => {
  assert.equal(csvCell('Mozilla "x", y'), '"Mozilla ""x"", y"');
  assert.equal(csvCell("a\nb"), '"a\nb"');
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(new Date("2023-05-14T11:02:17Z")), "2023-05-14T11:02:17.000Z");
  assert.equal(toCsv([{a: 1, b: "=x"}, {a: 2, b: null}]), "a,b\r\n1,'=x\r\n2,\r\n");
});
