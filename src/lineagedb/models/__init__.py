"""The registries (Django models of the ``lineagedb`` app), one module each, and their shared mechanisms."""

from .artifact import Artifact, ArtifactSchema
from .collection import Collection, CollectionArtifact
from .feature import ArtifactFeatureValue, Feature, FeatureValue, RunFeatureValue
from .record import ArtifactRecord, Record
from .run import Run
from .schema import Schema, SchemaComponent, SchemaFeature
from .storage import Storage
from .transform import Transform
from .user import User

__all__ = [
    "Artifact", "ArtifactSchema", "Collection", "CollectionArtifact", "Feature", "FeatureValue",
    "ArtifactFeatureValue", "RunFeatureValue", "Record", "ArtifactRecord", "Run", "Schema",
    "SchemaComponent", "SchemaFeature", "Storage", "Transform", "User",
]

from ._features import install as _install_features  # noqa: E402 - .features accessor, feature filters/columns/describe

_install_features()
