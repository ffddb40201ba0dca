"""The programming languages of the Stack-Edu corpus, as The Stack v2 names them (the 15 largest languages of
StarCoder2Data, as the Stack-Edu dataset card lists them)."""

STACK_EDU_LANGUAGES = (
    "C", "C#", "C++", "Go", "Java", "JavaScript", "Markdown", "PHP", "Python", "Ruby", "Rust", "SQL", "Shell",
    "Swift", "TypeScript",
)  # fmt: skip
