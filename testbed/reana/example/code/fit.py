"""A toy fit for the example workflow (REANA runs it; the stand-in only pretends to)."""

import json
import random
import sys

events = int(sys.argv[sys.argv.index("--events") + 1]) if "--events" in sys.argv else 100
values = [random.gauss(0, 1) for _ in range(events)]
mean = sum(values) / len(values)
with open("results/fit.json", "w") as out:
    json.dump({"events": events, "mean": mean}, out)
