#!/usr/bin/env bash
# One-off: makes the badge and printout fonts in assets/fonts/ from Noto Sans CJK SC (Debian
# package fonts-noto-cjk, SIL OFL 1.1). The full collection is ~20 MB per weight; the subset
# keeps GB2312 (every hanzi of the national standard, plus its kana, Greek, Cyrillic and
# symbols), Latin, Latin-1, Latin Extended-A, general punctuation, CJK punctuation and the
# full-width forms, in Regular and Bold, ~3 MB each (Noto CJK itself has only 30 letters of
# Latin Extended-A: pinyin vowels, Œ). Characters outside it (rare name characters, Ł, Š) are
# drawn from the system's fonts at render time (see crates/core/src/render/fonts.rs).
# The family is renamed "Frontdesk Sans CJK" so a render never silently picks a different
# system copy of Noto; the OFL allows this (Noto CJK reserves no font name).
#
# Needs python3 (with venv) and fonts-noto-cjk; fontTools comes from PyPI in a throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/opentype/noto
[ -f "$src/NotoSansCJK-Regular.ttc" ] || { echo "install fonts-noto-cjk first" >&2; exit 1; }
venv=$(mktemp -d -t frontdesk-fonttools.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "fonttools==4.61.1"

"$venv/bin/python" - "$src" assets/fonts <<'PY'
import sys
from fontTools import subset
from fontTools.ttLib import TTCollection

src, out = sys.argv[1], sys.argv[2]

codepoints = set()
for lo, hi in [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A (Polish, Czech, Turkish, Vietnamese-adjacent names)
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # Currency symbols
    (0x2100, 0x214F),  # Letterlike symbols (No., TM)
    (0x2190, 0x21FF),  # Arrows
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Half-width and Full-width Forms
]:
    codepoints.update(range(lo, hi + 1))
# GB2312: every valid two-byte code, decoded.
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            codepoints.update(map(ord, bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass

SC = 2  # index of "Noto Sans CJK SC" in the Debian collections
for weight in ["Regular", "Bold"]:
    font = TTCollection(f"{src}/NotoSansCJK-{weight}.ttc").fonts[SC]
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC", font["name"].getDebugName(1)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.desubroutinize = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    family, full, ps = "Frontdesk Sans CJK", f"Frontdesk Sans CJK {weight}", f"FrontdeskSansCJK-{weight}"
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (16, 17, 18):
            name.removeNames(nameID=rec.nameID)
    name.setName(family, 1, 3, 1, 0x409)
    name.setName(family, 1, 1, 0, 0)
    name.setName(weight, 2, 3, 1, 0x409)
    name.setName(weight, 2, 1, 0, 0)
    name.setName(f"{ps};subset of Noto Sans CJK SC", 3, 3, 1, 0x409)
    name.setName(full, 4, 3, 1, 0x409)
    name.setName(full, 4, 1, 0, 0)
    name.setName(ps, 6, 3, 1, 0x409)
    name.setName(ps, 6, 1, 0, 0)
    # Drop localized names (they still say Noto Sans CJK SC) so every platform sees one family.
    for rec in list(name.names):
        if rec.nameID in (1, 2, 3, 4, 6) and rec.langID not in (0x409, 0):
            name.names.remove(rec)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = full, family
    path = f"{out}/FrontdeskSansCJK-{weight}.otf"
    font.save(path)
    print(path, len(font.getBestCmap()), "characters")
PY
