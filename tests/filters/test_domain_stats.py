"""Domain statistics on the real WARC pages of ../shared/data."""

from datatrove.data import Document

from smolcorpus.filters.domain_stats import DomainCounter, DomainListWriter, domain_of
from smolcorpus.readers.warc import WarcHtmlReader


def test_domain_of():
    assert domain_of("https://www.Example.org:8080/a?b") == "example.org"
    assert domain_of("not a url") is None and domain_of(None) is None


def test_counts_and_list_on_real_pages(shared_data, tmp_path):
    docs = list(WarcHtmlReader([str(shared_data / "warc")]).run())
    for i, doc in enumerate(docs):  # as the extractor would tag them: say every third page has formulas
        doc.metadata["math_formulas"] = 1 if i % 3 == 0 else 0
    docs.append(Document(text="x", id="scored", metadata={"url": "https://commoncrawl.org/x",
                                                          "math_recall_score": 0.9}))  # fmt: skip
    for rank, part in enumerate((docs[: len(docs) // 2], docs[len(docs) // 2 :])):
        counter = DomainCounter(str(tmp_path / "counts"), "math_recall_score", 0.5)
        assert len(list(counter.run(iter(part), rank=rank))) == len(part)
    writer = DomainListWriter(str(tmp_path / "counts"), str(tmp_path), min_pages=2)
    list(writer.run())
    lines = (tmp_path / "domains.tsv").read_text().splitlines()
    assert lines[0] == "domain\tmath_pages\tpages"
    rows = [line.split("\t") for line in lines[1:]]
    assert rows and all(int(n) >= 2 and int(total) >= int(n) for _, n, total in rows)
    assert [int(n) for _, n, _ in rows] == sorted((int(n) for _, n, _ in rows), reverse=True)
    expected = {domain_of(d.metadata["url"]) for d in docs}
    assert {domain for domain, _, _ in rows} <= expected


def test_pages_with_tex_in_their_text_make_a_math_domain(shared_data, tmp_path):
    """`math_formulas` as MathExtractor sets it (the one count of formula_count.py): MathJax's demo pages write their
    formulas as TeX in the text (13 and 3; their count was 0 before, so the domain was left out of domains.tsv);
    the news page's and the country article's dollar amounts make no math page."""
    from smolcorpus.extraction.math_extractor import extract_math_text
    from tests.extraction.math_pages import shared_page

    pages = [("https://docs.mathjax.example/demo/tex-chtml", "math_html/licensed/mathjax_demo_page_tex-chtml.html"),
             ("https://docs.mathjax.example/demo/tex-mml", "math_html/licensed/mathjax_demo_page_tex-mml.html"),
             ("https://www.wcvb.com/article/a", "math_dev/pages/wcvb_dollar_amounts.html.gz"),
             ("https://www.wcvb.com/article/b",
              "extraction_gt/readability_test_pages/wikipedia-2/source.html.gz")]  # fmt: skip
    docs = []
    for url, relative in pages:
        extraction = extract_math_text(shared_page(relative))
        docs.append(
            Document(text=extraction.text, id=relative, metadata={"url": url, "math_formulas": extraction.math.total})
        )
    assert [d.metadata["math_formulas"] for d in docs] == [13, 3, 0, 0]
    list(DomainCounter(str(tmp_path / "counts"), "math_recall_score", 0.5).run(iter(docs)))
    list(DomainListWriter(str(tmp_path / "counts"), str(tmp_path), min_pages=2).run())
    assert (tmp_path / "domains.tsv").read_text().splitlines()[1:] == ["docs.mathjax.example\t2\t2"]
