"""Broken answer lines for the byte-identity check of the typed answer reader (benches/README.md).

Takes the first 20 000 lines of families.jsonl (sopro gen --n 100000 --seed 2026) and breaks
each one, deterministically (seed 42): cut lines, JSON that is not an object, values of the
wrong type anywhere, unknown keys, removed keys, keys written in reverse order, duplicated keys
(an earlier broken copy or a later one). Writes broken.jsonl beside it.
"""
import json, random, sys, copy
random.seed(42)
lines = open('families.jsonl').read().splitlines()[:20000]
out = []
def places(v, path, acc):
    if isinstance(v, dict):
        for k, x in v.items(): places(x, path + [k], acc)
    elif isinstance(v, list):
        for i, x in enumerate(v): places(x, path + [i], acc)
    acc.append(path)
def setp(doc, path, val):
    d = doc
    for p in path[:-1]: d = d[p]
    d[path[-1]] = val
def rev(v):
    if isinstance(v, dict):
        return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + rev(x) for k, x in reversed(list(v.items()))) + '}'
    if isinstance(v, list):
        return '[' + ','.join(rev(x) for x in v) + ']'
    return json.dumps(v, ensure_ascii=False)
junk = [None, True, False, 0, -1, 1.5, 1e9, "", "x", "2026-02-30", "2026-03-01", "mother", "child", [], ["a"], {}, {"id": "m9"}, [{"id": "m1"}], "🙂"*300]
for i, line in enumerate(lines):
    doc = json.loads(line)
    r = random.random()
    if r < 0.05:
        out.append(line[: random.randrange(len(line))]); continue
    if r < 0.08:
        out.append(json.dumps(copy.deepcopy(random.choice(junk)))); continue
    acc = []
    places(doc, [], acc)
    for _ in range(random.randrange(1, 5)):
        path = random.choice(acc)
        if not path: continue
        try:
            kind = random.random()
            if kind < 0.6: setp(doc, path, copy.deepcopy(random.choice(junk)))
            elif kind < 0.8:
                d = doc
                for p in path[:-1]: d = d[p]
                if isinstance(d, dict): d['zz_' + str(random.randrange(3))] = 1
                elif isinstance(d, list): d.append(copy.deepcopy(random.choice(junk)))
            else:
                d = doc
                for p in path[:-1]: d = d[p]
                if isinstance(d, dict): del d[path[-1]]
        except (KeyError, IndexError, TypeError):
            pass
        acc = []; places(doc, [], acc)
    text = rev(doc) if random.random() < 0.5 else json.dumps(doc, ensure_ascii=False)
    if random.random() < 0.2 and text.startswith('{') and len(text) > 2:
        # a duplicated key: an earlier broken copy, or a later one
        k = random.choice(['as_of', 'members', 'case', 'zz'])
        v = json.dumps(copy.deepcopy(random.choice(junk)), ensure_ascii=False)
        text = ('{"%s":%s,' % (k, v)) + text[1:] if random.random() < 0.5 else text[:-1] + (',"%s":%s}' % (k, v))
    out.append(text)
open('broken.jsonl', 'w').write('\n'.join(out) + '\n')
