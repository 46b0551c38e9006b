"""Guarantee: saving a Record by name is get-or-create, also when processes race and within one ln.save list."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_duplicates_in_one_save_list_become_one_record(ln, unique):
    a, b, c = ln.Record(name=f"dup-{unique}"), ln.Record(name=f"dup-{unique}"), ln.Record(name=f"other-{unique}")
    ln.save([a, b, c])
    assert a.id is not None and a.id == b.id != c.id
    assert ln.Record.filter(name=f"dup-{unique}").count() == 1


def test_concurrent_same_name_saves_all_return_the_one_record(ln, make_instance):
    inst = make_instance(modules="")
    code = textwrap.dedent(f"""
        import lineagedb as ln
        ln.connect({inst.name!r})
        ids = set()
        for round in range(15):
            for n in range(4):
                ids.add((n, ln.Record(name=f"race-{{round}}-{{n}}").save().id))
            ln.save([ln.Record(name=f"bulk-{{round}}"), ln.Record(name=f"bulk-{{round}}")])
        print(len(ids), "done")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip().endswith("done"), err[-3000:]
    names = list(ln.Record.filter(name__startswith="race-").values_list("name", flat=True))
    assert len(names) == len(set(names)) == 60
    assert ln.Record.filter(name__startswith="bulk-").count() == 15
