"""The words the demo book's names are made of: companies, people, departments, titles.

Kept apart from the generator (domain/demo_book.py): this is data, and it grows by itself.
"""

import numpy as np


def _words(text: str) -> np.ndarray:
    """Return the whitespace-separated words of `text` as an object array."""
    return np.array(text.split(), dtype=object)


NAME_STARTS = _words(
    "North South East West Blue Red Green Silver Golden Bright Clear Swift Iron Stone Oak Pine "
    "Cedar Maple River Lake Harbor Summit Peak Valley Prairie Coastal Polar Solar Lunar Stellar "
    "Nova Apex Vertex Prime Quantum Vector Atlas Orion Zenith Horizon Pioneer Frontier Beacon "
    "Crest Falcon Eagle Hawk Lynx Fox Wolf Bear Bison Heron Raven"
)
NAME_CORES = _words(
    "wind field bridge gate point line wave stream path forge works light stone rock wood "
    "brook view ridge haven port star fire spring leaf fall mark core sphere scape grid"
)
NAME_ENDS = _words(
    "Systems Labs Group Holdings Partners Industries Technologies Solutions Networks Works "
    "Dynamics Ventures Corp International Global Enterprises Associates Company Collective Co"
)
FIRST_NAMES = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Carlos Maria Wei Mei Hiroshi Yuki Raj Ananya "
    "Lukas Sophie Mateo Camila Ahmed Fatima Olivia Noah Emma Liam Ava Lucas Mia Arjun"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Chen Wang Tanaka Sato Sharma Patel "
    "Muller Schmidt Dubois Rossi Silva Santos Kim Park Nguyen Cohen Ali Hassan Novak Larsen"
)
DEPARTMENT_NAMES = _words(
    "Sales Marketing Finance Engineering Operations IT Legal HR Support Product"
)
# Every company has a decision maker, an economic buyer and a champion; bigger ones more.
CONTACT_ROLES = ("decision_maker", "economic_buyer", "champion", "admin", "end_user")
TITLES = (
    ("VP Operations", "Head of Sales", "COO", "Director of IT"),
    ("CFO", "VP Finance", "Procurement Lead", "CEO"),
    ("Operations Manager", "Team Lead", "Program Manager"),
    ("Systems Administrator", "IT Manager", "RevOps Analyst"),
    ("Analyst", "Specialist", "Coordinator", "Associate", "Engineer"),
)
