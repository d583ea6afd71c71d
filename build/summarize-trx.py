#!/usr/bin/env python3
"""Prints one line 'N passed, N failed, N skipped' summed over every TRX file in a folder.
Exits 1 when a test failed or no test ran."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

folder = sys.argv[1] if len(sys.argv) > 1 else ".test-results"
passed = failed = skipped = 0
for path in sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True)):
    root = ET.parse(path).getroot()
    for result in root.iterfind(".//t:Results/t:UnitTestResult", NS):
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1
            print(f"FAILED {result.get('testName')} ({os.path.basename(path)})")

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
