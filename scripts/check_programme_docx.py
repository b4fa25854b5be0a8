"""Reads the draft programme (ИПСС) as DOCX with python-docx, a real reader, and checks what a
specialist would sign: the title, the header's blanks and case id, the table of activities with
its five columns and as many rows as the JSON programme has, and no answer values."""
import json
import sys

import docx

docx_path, programme_json = sys.argv[1], sys.argv[2]
assessment = json.load(open(programme_json, encoding="utf-8"))
items = assessment["programme"]["items"]
document = docx.Document(docx_path)
text = "\n".join(p.text for p in document.paragraphs)
problems = []
if "Индивидуальная программа социального сопровождения семьи" not in text:
    problems.append("no title")
if "Проект" not in text:
    problems.append("not marked as a draft")
if "86-2026-000123" not in text:
    problems.append("no case id in the header")
if "Куратор семьи: ____" not in text:
    problems.append("no blank for the curator")
table = document.tables[0]
header = [c.text for c in table.rows[0].cells]
if header != ["№", "Мероприятие", "Ответственный исполнитель", "Срок", "Отметка о выполнении"]:
    problems.append(f"table header {header}")
if len(table.rows) != len(items) + 1:
    problems.append(f"{len(table.rows) - 1} rows for {len(items)} activities")
for number, (row, item) in enumerate(zip(table.rows[1:], items), start=1):
    cells = [c.text for c in row.cells]
    due = item.get("due")
    due = ".".join(reversed(due.split("-"))) if due else "до пересмотра"
    if cells[0] != str(number) or cells[1] != item["label"]["ru"] or cells[3] != due:
        problems.append(f"row {number}: {cells[:4]}")
        break
    if not cells[2].startswith(item["responsible"]["name"]["ru"]) or cells[4] != "":
        problems.append(f"row {number}: responsible {cells[2]!r}, mark {cells[4]!r}")
        break
everything = text + "\n".join(c.text for r in table.rows for c in r.cells)
for value in ["1990-05-01", "2013-09-01", "18500", "alcohol"]:
    if value in everything:
        problems.append(f"an answer value is in the document: {value}")
if problems:
    print("FAILED programme DOCX: " + "; ".join(problems))
    sys.exit(1)
print(f"ok     programme DOCX read by python-docx: {len(items)} activities, header and signatures")
