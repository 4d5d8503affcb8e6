"""arXiv subject codes as the site shows them (two letters), and their names.

Every ``cs.*`` code, plus the two-letter codes of the neighbouring archives the site
shows for cross-listed papers (stat.ML, eess.*, math.OC...).
"""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "AI": "Artificial Intelligence",
    "AR": "Hardware Architecture",
    "CC": "Computational Complexity",
    "CE": "Computational Engineering, Finance, and Science",
    "CG": "Computational Geometry",
    "CL": "Computation and Language",
    "CR": "Cryptography and Security",
    "CV": "Computer Vision and Pattern Recognition",
    "CY": "Computers and Society",
    "DB": "Databases",
    "DC": "Distributed, Parallel, and Cluster Computing",
    "DL": "Digital Libraries",
    "DM": "Discrete Mathematics",
    "DS": "Data Structures and Algorithms",
    "ET": "Emerging Technologies",
    "FL": "Formal Languages and Automata Theory",
    "GL": "General Literature",
    "GR": "Graphics",
    "GT": "Computer Science and Game Theory",
    "HC": "Human-Computer Interaction",
    "IR": "Information Retrieval",
    "IT": "Information Theory",
    "LG": "Machine Learning",
    "LO": "Logic in Computer Science",
    "MA": "Multiagent Systems",
    "MM": "Multimedia",
    "MS": "Mathematical Software",
    "NA": "Numerical Analysis",
    "NE": "Neural and Evolutionary Computing",
    "NI": "Networking and Internet Architecture",
    "OH": "Other Computer Science",
    "OS": "Operating Systems",
    "PF": "Performance",
    "PL": "Programming Languages",
    "RO": "Robotics",
    "SC": "Symbolic Computation",
    "SD": "Sound",
    "SE": "Software Engineering",
    "SI": "Social and Information Networks",
    "SY": "Systems and Control",
    # neighbours the site cross-lists
    "ML": "Machine Learning (Statistics)",
    "AS": "Audio and Speech Processing",
    "IV": "Image and Video Processing",
    "SP": "Signal Processing",
    "OC": "Optimization and Control",
    "QM": "Quantitative Methods",
    "NC": "Neurons and Cognition",
}


def topic_name(code: str | None) -> str | None:
    return TOPICS.get(code) if code else None


def resolve_topic(text: str) -> str | None:
    """A code (``cv``) or a name (``computer vision``), matched forgivingly."""
    t = text.strip()
    if t.upper() in TOPICS:
        return t.upper()
    from catalog.names import fold

    folded = fold(t)
    for code, name in TOPICS.items():
        if fold(name) == folded:
            return code
    starts = [c for c, n in TOPICS.items() if fold(n).startswith(folded)]
    if len(starts) == 1:
        return starts[0]
    contains = [c for c, n in TOPICS.items() if folded in fold(n)]
    if len(contains) == 1:
        return contains[0]
    from rapidfuzz import fuzz, process

    best = process.extractOne(folded, {c: fold(n) for c, n in TOPICS.items()},
                              scorer=fuzz.WRatio, score_cutoff=80)
    return best[2] if best else None
