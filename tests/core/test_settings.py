"""ln.settings: creation settings, the storage setter's checks, the repr."""

import pytest


def test_creation_settings(ln):
    assert ln.settings.creation.search_names is True
    ln.settings.creation.search_names = False
    try:
        assert "search_names=False" in repr(ln.settings.creation)
    finally:
        ln.settings.creation.search_names = True


def test_storage_setter_refuses_storage_of_another_instance(ln, tmp_path):
    default = ln.settings.storage
    foreign = ln.Storage(root=(tmp_path / "foreign").as_posix(), type="local", instance_uid="otherinst01").save()
    unmanaged = ln.Storage(root=(tmp_path / "unmanaged").as_posix(), type="local").save()
    assert unmanaged.instance_uid == ln.settings.instance.uid  # registered here: managed here
    unmanaged.instance_uid = None
    unmanaged.save()
    with pytest.raises(ln.errors.InvalidArgument, match=r"exists in another instance \(otherinst01\), cannot write"):
        ln.settings.storage = foreign.root
    with pytest.raises(ValueError, match="is not managed by any instance, cannot write to it from here"):
        ln.settings.storage = unmanaged
    assert ln.settings.storage == default
    foreign.delete()
    unmanaged.delete()


def test_settings_repr_lists_one_setting_per_line(ln):
    lines = repr(ln.settings).split("\n")
    assert lines[0] == "Settings"
    assert all(line.startswith("  ") for line in lines[1:])
    text = "\n".join(lines)
    assert text.index("instance:") < text.index("storage:") < text.index("verbosity:")


def test_an_unknown_setting_is_refused_not_ignored(ln, tmp_path):
    with pytest.raises(ln.errors.InvalidArgument, match="no setting 'local_storage'.*storage"):
        ln.settings.local_storage = tmp_path.as_posix()
    with pytest.raises(ValueError, match="no setting 'verbostiy'.*verbosity"):
        ln.settings.verbostiy = "debug"
    assert not hasattr(ln.settings, "local_storage")
    before = ln.settings.verbosity
    ln.settings.verbosity = "debug"  # a known one still changes
    try:
        assert ln.settings.verbosity == "debug"
    finally:
        ln.settings.verbosity = before
