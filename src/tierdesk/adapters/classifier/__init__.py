"""Trained text classifiers behind the `tierdesk.domain.classifier.Classifier` port.

`train` fits a model, `save`/`load` persist it and `dumps`/`loads` make it bytes for the store
(model files are trusted artifacts: see `model_file`), `read_labelled_csv` and `load_intent_map`
read the CSV inputs. Entry points reach these through `tierdesk.bootstrap`, never directly.
"""

from tierdesk.adapters.classifier.csv_files import (
    load_intent_map,
    read_labelled,
    read_labelled_csv,
)
from tierdesk.adapters.classifier.linear import TrainedClassifier, TrainingDataError, train
from tierdesk.adapters.classifier.model_file import (
    ModelFileError,
    dumps,
    load,
    loads,
    read_header,
    save,
)

__all__ = [
    "ModelFileError",
    "TrainedClassifier",
    "TrainingDataError",
    "dumps",
    "load",
    "load_intent_map",
    "loads",
    "read_header",
    "read_labelled",
    "read_labelled_csv",
    "save",
    "train",
]
