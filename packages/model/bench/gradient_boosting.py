"""Gradient-boosting references for bench/reference.ts (not a test; needs scikit-learn).

Reads the feature files reference.ts writes (one per feature set: key, label, our split, then the
features exactly as @dga/features computes them) and fits scikit-learn's GradientBoostingClassifier
and HistGradientBoostingClassifier with default settings (random_state 42) on two splits:

- ours: trainModel's seeded hash split; the boosters train on train + validation (they need no
  validation rows) and are scored on our test rows;
- sklearn: train_test_split(test_size=0.2, stratify=label, random_state=42) over the rows in file
  order, the usual recipe behind the issue's reference figures. Its test keys are written to
  sklearn-test-keys.txt so reference.ts can train our model on exactly that split.

Prints one JSON object per line. Usage: python3 gradient_boosting.py DIR
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

directory = sys.argv[1]
feature_sets = sys.argv[2].split(",") if len(sys.argv) > 2 else ["tutorial", "extended", "bigram"]
models = {
    "GradientBoosting": lambda: GradientBoostingClassifier(random_state=42),
    "HistGradientBoosting": lambda: HistGradientBoostingClassifier(random_state=42),
}

for name in feature_sets:
    with open(f"{directory}/{name}.csv", encoding="ascii") as handle:
        handle.readline()
        keys, labels, splits, rows = [], [], [], []
        for line in handle:
            cells = line.rstrip("\n").split(",")
            keys.append(cells[0])
            labels.append(int(cells[1]))
            splits.append(cells[2])
            rows.append([float(value) for value in cells[3:]])
    x = np.array(rows, dtype=np.float64)
    y = np.array(labels)
    ours = np.array(splits)
    indices = np.arange(len(y))
    sk_train, sk_test = train_test_split(indices, test_size=0.2, stratify=y, random_state=42)
    with open(f"{directory}/sklearn-test-keys.txt", "w", encoding="ascii") as out:
        out.write("\n".join(keys[index] for index in sorted(sk_test)) + "\n")
    for split, train, test in (("ours", indices[ours != "test"], indices[ours == "test"]), ("sklearn", sk_train, sk_test)):
        for model_name, make in models.items():
            started = time.time()
            model = make().fit(x[train], y[train])
            scores = model.predict_proba(x[test])[:, 1]
            print(json.dumps({
                "featureSet": name,
                "split": split,
                "model": model_name,
                "f1": round(float(f1_score(y[test], scores >= 0.5)), 4),
                "rocAuc": round(float(roc_auc_score(y[test], scores)), 4),
                "trainRows": int(len(train)),
                "testRows": int(len(test)),
                "seconds": round(time.time() - started, 1),
            }), flush=True)
