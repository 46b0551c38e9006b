import os


def test_init_creates_instance_and_reinit_connects(ln, make_instance, tmp_path):
    inst = make_instance(name="reinit", modules="", storage=str(tmp_path / "store"))
    assert (tmp_path / "store" / ".lineagedb" / "instance.json").exists()
    assert ln.Storage.filter(root=str(tmp_path / "store")).count() == 1
    again = ln.setup.init(storage=str(tmp_path / "store"))
    assert again.uid == inst.uid
    assert ln.Storage.filter(root=str(tmp_path / "store")).count() == 1


def test_current_user_exists(ln):
    import getpass

    user = ln.User.get(handle=os.environ.get("LINEAGEDB_USER") or getpass.getuser())
    assert len(user.uid) == 8
