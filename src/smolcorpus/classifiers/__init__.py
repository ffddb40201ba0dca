"""Educational-value classifiers: LLM annotation, training, evaluation and scoring steps."""
