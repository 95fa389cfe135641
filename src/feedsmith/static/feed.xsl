<?xml version="1.0" encoding="UTF-8"?>
<!--
  feedsmith: how a browser shows an RSS 2.0 or Atom 1.0 feed of this site.
  Every RSS and Atom document refers to this file with
  <?xml-stylesheet type="text/xsl" href="…/feed.xsl"?>; feed readers ignore it.
  Browsers that still run XSLT show a readable page (the same layout and the
  same one style block as the site's HTML pages, so the same CSP hash); the
  live app answers browsers with an HTML view of the feed instead.
  The style element below must stay byte-identical to feedsmith.pages.STYLE.
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  exclude-result-prefixes="atom dc">

  <xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="lang" select="(rss/channel/language | atom:feed/@xml:lang)[1]"/>
    <xsl:variable name="title" select="(rss/channel/title | atom:feed/atom:title)[1]"/>
    <html lang="{$lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:call-template name="text"><xsl:with-param name="node" select="$title"/></xsl:call-template></title>
        <style>
:root { color-scheme: light dark; --muted: #6b6b6b; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0; }
ul.feeds { list-style: none; padding: 0; }
ul.feeds > li { padding: .75rem 0; border-bottom: 1px solid var(--line); }
.muted, .meta { color: var(--muted); font-size: .9rem; }
.formats a { margin-right: .75rem; }
input.url { width: 100%; font: .85rem ui-monospace, monospace; padding: .3rem; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; }
nav { font-size: .9rem; }
.tags { padding: 0; } .tags li { display: inline; margin-right: .5rem; }
</style>
      </head>
      <body>
        <xsl:apply-templates select="rss/channel | atom:feed"/>
      </body>
    </html>
  </xsl:template>

  <!-- The page around the entries: title, description, the subscribe box. -->
  <xsl:template match="channel | atom:feed">
    <xsl:variable name="self" select="(atom:link[@rel='self']/@href)[1]"/>
    <xsl:variable name="home" select="(link | atom:link[@rel='alternate'][1]/@href)[1]"/>
    <nav><a href="{$home}">← All feeds</a></nav>
    <header>
      <h1><xsl:call-template name="text"><xsl:with-param name="node" select="title | atom:title"/></xsl:call-template></h1>
      <p><xsl:call-template name="text"><xsl:with-param name="node" select="description | atom:subtitle"/></xsl:call-template></p>
    </header>
    <section id="subscribe">
      <h2>Subscribe</h2>
      <p>This is a news feed. Copy its address into your feed reader to follow it.</p>
      <label for="feed-url" class="muted">Feed URL (select and copy into your reader)</label>
      <input class="url" id="feed-url" type="url" readonly="readonly" value="{$self}"/>
    </section>
    <main>
      <h2>Latest articles</h2>
      <xsl:choose>
        <xsl:when test="item | atom:entry">
          <ul class="feeds entries">
            <xsl:apply-templates select="item | atom:entry"/>
          </ul>
        </xsl:when>
        <xsl:otherwise><p class="muted">No articles yet.</p></xsl:otherwise>
      </xsl:choose>
    </main>
  </xsl:template>

  <xsl:template match="item">
    <li class="entry">
      <h3><a href="{link}"><xsl:call-template name="text"><xsl:with-param name="node" select="title"/></xsl:call-template></a></h3>
      <p class="meta">
        <time><xsl:value-of select="substring(pubDate, 1, 16)"/></time>
        <xsl:if test="source"> · <xsl:value-of select="source"/></xsl:if>
        <xsl:if test="dc:creator"> · by <xsl:value-of select="dc:creator"/></xsl:if>
      </p>
      <!-- An RSS description is HTML: feedsmith writes the plain summary escaped, so unescape it once. -->
      <p><xsl:call-template name="unescape"><xsl:with-param name="text" select="description"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="entry">
      <h3><a href="{(atom:link[@rel='alternate'] | atom:link[not(@rel)])[1]/@href}"><xsl:call-template name="text"><xsl:with-param name="node" select="atom:title"/></xsl:call-template></a></h3>
      <p class="meta">
        <time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
        <xsl:if test="atom:source/atom:title"> · <xsl:call-template name="text"><xsl:with-param name="node" select="atom:source/atom:title"/></xsl:call-template></xsl:if>
        <xsl:if test="atom:author/atom:name"> · by <xsl:value-of select="atom:author/atom:name"/></xsl:if>
      </p>
      <p><xsl:call-template name="text"><xsl:with-param name="node" select="atom:summary"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <!-- Text of an element; Atom text constructs of type="html" hold escaped text, shown unescaped once. -->
  <xsl:template name="text">
    <xsl:param name="node"/>
    <xsl:choose>
      <xsl:when test="$node/@type = 'html'">
        <xsl:call-template name="unescape"><xsl:with-param name="text" select="string($node)"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$node"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Undo html.escape(quote=False): &lt; &gt; then &amp; (never output as markup). -->
  <xsl:template name="unescape">
    <xsl:param name="text"/>
    <xsl:call-template name="replace">
      <xsl:with-param name="text">
        <xsl:call-template name="replace">
          <xsl:with-param name="text">
            <xsl:call-template name="replace">
              <xsl:with-param name="text" select="$text"/>
              <xsl:with-param name="from" select="'&amp;lt;'"/>
              <xsl:with-param name="to" select="'&lt;'"/>
            </xsl:call-template>
          </xsl:with-param>
          <xsl:with-param name="from" select="'&amp;gt;'"/>
          <xsl:with-param name="to" select="'&gt;'"/>
        </xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="from" select="'&amp;amp;'"/>
      <xsl:with-param name="to" select="'&amp;'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="substring-before($text, $from)"/>
        <xsl:value-of select="$to"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
