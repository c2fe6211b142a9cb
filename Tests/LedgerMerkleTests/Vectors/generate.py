#!/usr/bin/env python3
"""Writes the Merkle proof vectors in this directory (run from anywhere: python3 generate.py).

Happy paths: the five inclusion and five consistency vectors of transparency-dev/merkle
testdata/ (transcribed, leaves = the 8 classic RFC 6962 test inputs), plus proofs over larger
trees computed here by a naive implementation of the RFC 9162 definitions (leaf i = bytes([i])).

Mutations: each happy path is mutated systematically (wrong-leaf, wrong-index, truncated-proof,
extended-proof, preceding-garbage, flipped-bit, wrong-root, swapped-roots, wrong-size,
trailing-garbage). A mutation that the RFC 9162 verification algorithm (written out below)
would still accept is dropped and reported, so every mutated case must be rejected.
"trailing-garbage" appends a proof element that is not 32 bytes: it must fail to decode.
"""
import base64, hashlib, json, os

def b64(b): return base64.b64encode(b).decode()
def unb64(s): return base64.b64decode(s)
def sha(b): return hashlib.sha256(b).digest()
def leaf(d): return sha(b"\x00" + d)
def node(l, r): return sha(b"\x01" + l + r)

def k_of(n):
    k = 1
    while k * 2 < n: k *= 2
    return k

def mth(ds):
    if not ds: return sha(b"")
    if len(ds) == 1: return leaf(ds[0])
    k = k_of(len(ds))
    return node(mth(ds[:k]), mth(ds[k:]))

def path(m, ds):
    if len(ds) <= 1: return []
    k = k_of(len(ds))
    if m < k: return path(m, ds[:k]) + [mth(ds[k:])]
    return path(m - k, ds[k:]) + [mth(ds[:k])]

def subproof(m, ds, b):
    n = len(ds)
    if m == n: return [] if b else [mth(ds)]
    k = k_of(n)
    if m <= k: return subproof(m, ds[:k], b) + [mth(ds[k:])]
    return subproof(m - k, ds[k:], False) + [mth(ds[:k])]

# RFC 9162 §2.1.3.2
def verify_inclusion(index, size, h, proof, root):
    if any(len(p) != 32 for p in proof) or len(h) != 32: return False
    if index >= size: return False
    fn, sn, r = index, size - 1, h
    for p in proof:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root

# RFC 9162 §2.1.4.2 (equal sizes: empty proof and equal roots)
def verify_consistency(first, second, h1, h2, proof):
    if any(len(p) != 32 for p in proof): return False
    if first == 0 or first > second: return False
    if first == second: return not proof and h1 == h2
    if not proof: return False
    path_ = list(proof)
    if first & (first - 1) == 0: path_ = [h1] + path_
    fn, sn = first - 1, second - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = path_[0]
    for c in path_[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return fr == h1 and sr == h2 and sn == 0

CLASSIC = [bytes.fromhex(x) for x in
           ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]

# transparency-dev/merkle testdata/inclusion/{0..4}/happy-path.json
UPSTREAM_INCLUSION = [
    (0, 1, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", []),
    (0, 8, "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=", "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
     ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
      "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (5, 8, "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=", "QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=",
     ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 3, "rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=", "ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=",
     ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (1, 5, "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=", "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
     ["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
      "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
]
# transparency-dev/merkle testdata/consistency/{0..4}/happy-path.json
UPSTREAM_CONSISTENCY = [
    (1, 1, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", []),
    (1, 8, "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
     ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
      "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (6, 8, "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=", "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
     ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 5, "+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=", "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
     ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
    (6, 7, "duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=", "3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=",
     ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
      "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
]

def flip(h, bit=3): return bytes([h[0] ^ (1 << bit)]) + h[1:]
OTHER = sha(b"not a tree hash")

def inclusion_cases():
    happy = []
    for index, size, root, lh, proof in UPSTREAM_INCLUSION:
        happy.append(("upstream", index, size, unb64(root), unb64(lh), [unb64(p) for p in proof]))
    big = [bytes([i]) for i in range(40)]
    for index, size in [(0, 17), (16, 17), (9, 17), (13, 33), (31, 33), (32, 33), (7, 40), (39, 40)]:
        ds = big[:size]
        happy.append(("naive", index, size, mth(ds), leaf(ds[index]), path(index, ds)))
    cases, dropped = [], []
    for src, index, size, root, lh, proof in happy:
        base = dict(index=index, size=size, root=root, leafHash=lh, proof=proof)
        assert verify_inclusion(index, size, lh, proof, root), (index, size)
        cases.append(dict(base, desc=f"{src} happy path {index}/{size}", wantErr=False))
        muts = [("wrong-leaf", dict(leafHash=flip(lh))),
                ("wrong-root", dict(root=OTHER)),
                ("empty-root", dict(root=sha(b""))),
                ("wrong-index +1", dict(index=index + 1)),
                ("wrong-index -1", dict(index=index - 1)) if index > 0 else None,
                ("wrong-index ^2", dict(index=index ^ 2)),
                ("wrong-index = size", dict(index=size)),
                ("wrong-size *2", dict(size=size * 2)),
                ("wrong-size /2", dict(size=size // 2)),
                ("wrong-size +1", dict(size=size + 1)),
                ("wrong-size -1", dict(size=size - 1)),
                ("truncated-proof", dict(proof=proof[:-1])) if proof else None,
                ("extended-proof", dict(proof=proof + [root])),
                ("preceding-garbage", dict(proof=[OTHER] + proof)),
                ("trailing-garbage", dict(proof=proof + [b"\x01\x02\x03"]))]
        muts += [(f"flipped-bit proof[{i}]", dict(proof=proof[:i] + [flip(p)] + proof[i + 1:])) for i, p in enumerate(proof)]
        if len(proof) >= 2:
            muts.append(("swapped proof[0] proof[1]", dict(proof=[proof[1], proof[0]] + proof[2:])))
        for m in muts:
            if m is None: continue
            name, change = m
            c = dict(base, **change)
            if c["index"] < 0: continue
            if verify_inclusion(c["index"], c["size"], c["leafHash"], c["proof"], c["root"]):
                dropped.append(f"inclusion {index}/{size} {name}"); continue
            cases.append(dict(c, desc=f"{src} {index}/{size} {name}", wantErr=True))
    return cases, dropped

def consistency_cases():
    happy = []
    for s1, s2, r1, r2, proof in UPSTREAM_CONSISTENCY:
        happy.append(("upstream", s1, s2, unb64(r1), unb64(r2), [unb64(p) for p in proof]))
    big = [bytes([i]) for i in range(40)]
    for s1, s2 in [(3, 17), (8, 17), (16, 17), (5, 33), (32, 33), (12, 40), (31, 40), (40, 40)]:
        happy.append(("naive", s1, s2, mth(big[:s1]), mth(big[:s2]), subproof(s1, big[:s2], True) if s1 < s2 else []))
    cases, dropped = [], []
    for src, s1, s2, r1, r2, proof in happy:
        base = dict(size1=s1, size2=s2, root1=r1, root2=r2, proof=proof)
        assert verify_consistency(s1, s2, r1, r2, proof), (s1, s2)
        cases.append(dict(base, desc=f"{src} happy path {s1}->{s2}", wantErr=False))
        muts = [("wrong-root1", dict(root1=flip(r1))),
                ("wrong-root2", dict(root2=flip(r2))),
                ("swapped-roots", dict(root1=r2, root2=r1)) if r1 != r2 else None,
                ("wrong-size size1+1", dict(size1=s1 + 1)),
                ("wrong-size size1-1", dict(size1=s1 - 1)),
                ("wrong-size size1^2", dict(size1=s1 ^ 2)),
                ("wrong-size size2*2", dict(size2=s2 * 2)),
                ("wrong-size size2/2", dict(size2=s2 // 2)),
                ("wrong-size size2+1", dict(size2=s2 + 1)),
                ("swapped-sizes", dict(size1=s2, size2=s1)) if s1 != s2 else None,
                ("empty-proof", dict(proof=[])) if proof else None,
                ("truncated-proof", dict(proof=proof[:-1])) if proof else None,
                ("extended-proof", dict(proof=proof + [r2])),
                ("preceding-garbage", dict(proof=[OTHER] + proof)),
                ("trailing-garbage", dict(proof=proof + [b"\xff" * 31]))]
        muts += [(f"flipped-bit proof[{i}]", dict(proof=proof[:i] + [flip(p, 4)] + proof[i + 1:])) for i, p in enumerate(proof)]
        for m in muts:
            if m is None: continue
            name, change = m
            c = dict(base, **change)
            if c["size1"] <= 0: continue
            if verify_consistency(c["size1"], c["size2"], c["root1"], c["root2"], c["proof"]):
                dropped.append(f"consistency {s1}->{s2} {name}"); continue
            cases.append(dict(c, desc=f"{src} {s1}->{s2} {name}", wantErr=True))
    return cases, dropped

def encode(case):
    return {k: (b64(v) if isinstance(v, bytes) else [b64(p) for p in v] if isinstance(v, list) else v)
            for k, v in case.items()}

def roots():
    out = [dict(size=n, root=mth(CLASSIC[:n]).hex(), leaves="classic") for n in range(9)]
    big = [bytes([i]) for i in range(130)]
    out += [dict(size=n, root=mth(big[:n]).hex(), leaves="byte-index") for n in
            [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 130]]
    return out

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    inc, d1 = inclusion_cases()
    con, d2 = consistency_cases()
    for name, data in [("inclusion.json", [encode(c) for c in inc]), ("consistency.json", [encode(c) for c in con]),
                       ("roots.json", roots())]:
        with open(os.path.join(here, name), "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
    print(f"{len(inc)} inclusion cases, {len(con)} consistency cases")
    for d in d1 + d2: print("dropped (still valid):", d)
