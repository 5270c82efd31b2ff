"""The seed tutorial's featurization in pandas, as the reference for `featurizeLabels`.

Devo's DGA tutorial computes three features per domain with pandas `apply` over a DataFrame:
the length, the Shannon entropy (bits per character) and the proportion of vowels. This script
does the same over the `domain` column of a `host;domain;class;subclass` CSV, times only the
featurization (best of a few rounds, after reading the file) and prints one JSON line:
{"rows": ..., "seconds": ..., "cpuSeconds": ..., "rowsPerSecond": ..., "pandas": "<version>"}.
"""
import json
import math
import sys
import time
from collections import Counter

import pandas as pd


def entropy(domain):
    counts = Counter(domain)
    length = float(len(domain))
    return -sum(count / length * math.log(count / length, 2) for count in counts.values())


def vowel_proportion(domain):
    return sum(1 for character in domain if character in "aeiouAEIOU") / float(len(domain))


def featurize(frame):
    features = pd.DataFrame(index=frame.index)
    features["length"] = frame["domain"].apply(len)
    features["entropy"] = frame["domain"].apply(entropy)
    features["vowel_proportion"] = frame["domain"].apply(vowel_proportion)
    return features


def main():
    frame = pd.read_csv(sys.argv[1], sep=";", keep_default_na=False, dtype=str)
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = None
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        features = featurize(frame)
        elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
        if best is None or elapsed[1] < best[1]:
            best = elapsed
    rows = len(features)
    print(json.dumps({"rows": rows, "seconds": best[0], "cpuSeconds": best[1], "rowsPerSecond": rows / best[0], "rowsPerCpuSecond": rows / best[1], "pandas": pd.__version__}))


if __name__ == "__main__":
    main()
