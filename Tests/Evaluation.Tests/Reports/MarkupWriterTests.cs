using System.Xml.Linq;
using MlPipelines.Evaluation.Reports.Markup;

namespace MlPipelines.Evaluation.Tests.Reports;

[TestClass]
public sealed class MarkupWriterTests
{
    [TestMethod]
    public void TextAndAttributes_AreEscaped()
    {
        var w = new MarkupWriter();
        w.Open("p", ("title", "a\"b'c<d>&e\nf")).Text("<script>x & y</script>").Close("p");
        string s = w.ToString();
        Assert.AreEqual("<p title=\"a&quot;b&#39;c&lt;d&gt;&amp;e&#10;f\">&lt;script&gt;x &amp; y&lt;/script&gt;</p>", s);
        var p = XElement.Parse(s);
        Assert.AreEqual("<script>x & y</script>", p.Value);
        Assert.AreEqual("a\"b'c<d>&e\nf", p.Attribute("title")!.Value);
    }

    [TestMethod]
    public void CharactersXmlForbids_BecomeReplacementCharacters_PairsSurvive()
    {
        var w = new MarkupWriter();
        w.Element("p", "a\u0001b\uD800c\uFFFEd\U0001F600");
        var p = XElement.Parse(w.ToString());
        Assert.AreEqual("a\uFFFDb\uFFFDc\uFFFDd\U0001F600", p.Value);
    }

    [TestMethod]
    public void EmptyElements_AreSelfClosed_NullAttributesLeftOut()
    {
        var w = new MarkupWriter();
        w.Empty("img", ("src", "data:x"), ("alt", null));
        Assert.AreEqual("<img src=\"data:x\"/>", w.ToString());
    }

    [TestMethod]
    public void MismatchedOrUnclosedElements_AndBadNames_Throw()
    {
        var w = new MarkupWriter().Open("div");
        Assert.ThrowsExactly<InvalidOperationException>(() => w.Close("span"));
        Assert.ThrowsExactly<InvalidOperationException>(() => w.ToString());
        Assert.ThrowsExactly<ArgumentException>(() => new MarkupWriter().Open("a b"));
        Assert.ThrowsExactly<ArgumentException>(() => new MarkupWriter().Empty("img", ("onload=x", "y")));
        Assert.ThrowsExactly<ArgumentException>(() => new MarkupWriter().Style("a > b { }"));
    }
}
