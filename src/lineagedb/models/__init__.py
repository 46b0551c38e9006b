"""The registries (Django models of the ``lineagedb`` app), one module each, and their shared mechanisms.

Use them through ``import lineagedb as ln; ln.Artifact`` (which connects the current instance first);
importing this package directly works once an instance is connected.
"""

from django.conf import settings as _django_settings

if not _django_settings.configured:  # while Django sets up (a connect in progress) it is already configured
    from ..errors import InstanceNotSetup

    raise InstanceNotSetup(
        "lineagedb.models needs a connected instance: use `import lineagedb as ln; ln.Artifact` (connects the "
        "current instance), or call ln.connect(NAME) before `from lineagedb.models import ...`"
    )

from ._artifact_labels import LabelManager
from ._artifact_set import ArtifactQuerySet
from .artifact import Artifact, ArtifactSchema
from .block import Block, BranchBlock, RecordBlock
from .branch import Branch, Space
from .collection import Collection, CollectionArtifact
from .feature import ArtifactFeatureValue, Feature, FeatureValue, RecordFeatureValue, RunFeatureValue
from .project import ArtifactProject, Project
from .record import ArtifactRecord, Record
from .reference import ArtifactReference, Reference
from .run import Run
from .schema import Schema, SchemaComponent, SchemaFeature
from .storage import Storage
from .transform import Transform
from .ulabel import ArtifactULabel, ULabel
from .user import User

ArtifactSet = ArtifactQuerySet  # LaminDB's name for the queryset class of artifacts
JsonValue = FeatureValue  # LaminDB's name for a stored feature value

__all__ = [
    "Artifact", "ArtifactSchema", "ArtifactSet", "Collection", "CollectionArtifact", "Feature", "FeatureValue", "JsonValue",
    "ArtifactFeatureValue", "RunFeatureValue", "Record", "ArtifactRecord", "Run", "Schema",
    "SchemaComponent", "SchemaFeature", "Storage", "Transform", "User",
    "ArtifactProject", "ArtifactReference", "ArtifactULabel", "Project", "Reference", "ULabel",
    "Block", "Branch", "BranchBlock", "LabelManager", "RecordBlock", "RecordFeatureValue", "Space",
]
