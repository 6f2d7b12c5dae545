"""The Shaoguan hukou policy as data, and the plain Python that loads, checks and searches it.

Nothing here imports Rasa: the actions, the NLU components and the tools all call into this
package, and its tests run without a model.
"""

from policy_kb.loader import KnowledgeBase, KnowledgeBaseError, load_kb

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "load_kb"]
