"""`smolcorpus demo`: the offline first run (`run.py`), its WARC (`web.py`), its two rule-labelled sets
(`labels.py`) and the classifiers trained and evaluated on them (`classifiers.py`)."""
