#!/usr/bin/env python3
"""The smallest local stand-in for the Apache Solr HTTP API that CKAN 2.10-2.12 uses (via pysolr).

Apache Solr cannot be installed on the test machines (no Debian package, no PyPI/npm package),
and CKAN >= 2.10 indexes synchronously inside every create/update/delete: without a search
backend it cannot write at all. This server stands in for the search index only; CKAN,
PostgreSQL, Redis and the file storage stay real. Standard library only; listens on 127.0.0.1.

Implemented (all under ``/solr/<core>/``):

- ``GET /schema?wt=schema.xml`` and ``/admin/file/?file=schema.xml``: serves CKAN's own
  ``schema.xml`` (``--schema``), so CKAN's start-up schema-version check passes;
- ``POST /update``: a JSON array of documents (add/replace by ``id``), or XML ``<add>``,
  ``<delete><id>``/``<delete><query>`` and ``<commit/>``;
- ``GET|POST /select``: ``q``, ``fq`` (repeated), ``rows``, ``start``, ``sort`` (one field),
  ``fl`` (ignored: whole documents are returned), ``facet.field`` counts.

Query language: a subset of Lucene: clauses ``field:value``, ``field:"phrase"``,
``field:(a OR b)``, ``field:*``, ``*:*``, bare words (substring over the text fields), groups in
parentheses, ``+``/``-`` prefixes and ``AND``/``OR``/``NOT``. Ranges (``[a TO b]``) match
everything. No stemming, no scoring (``score`` is 1.0; default order: ``metadata_modified``
descending). Good enough for CKAN's own calls; do not test search relevance against it.

Documents are kept in memory and saved to ``--data`` (JSON) after every update, so a restart
keeps the index in step with the database.

Usage: fakesolr.py --schema SCHEMA_XML --data FILE [--host 127.0.0.1] [--port 8983]
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

TEXT_FIELDS = ("text", "name", "title", "notes", "tags", "res_name", "res_description")
TOKEN = re.compile(
    r"\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<op>AND\b|OR\b|NOT\b|&&|\|\|)|(?P<sign>[+-])(?=\S)"
    r'|(?P<term>(?:[^\s()"\[\]{}:]+:)?(?:"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|\([^()]*\)|'
    r'[^\s()"]+)))'
)


class Query:
    """A parsed Lucene-subset query; ``match(doc)`` -> bool."""

    def __init__(self, text: str) -> None:
        self.tokens = [m for m in TOKEN.finditer(text or "*:*") if m.group(0).strip()]
        self.i = 0
        self.tree = self._expr()

    def _peek(self) -> re.Match[str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _expr(self) -> tuple[str, list[tuple[str, Any]]]:
        clauses: list[tuple[str, Any]] = []
        pending_op = None
        while (tok := self._peek()) is not None and not tok.group("rp"):
            if tok.group("op"):
                op = tok.group("op").upper().replace("&&", "AND").replace("||", "OR")
                self.i += 1
                if op == "AND" and clauses and clauses[-1][0] == "should":
                    clauses[-1] = ("must", clauses[-1][1])
                pending_op = op
                continue
            sign = "should"
            if tok.group("sign"):
                sign = "must" if tok.group("sign") == "+" else "not"
                self.i += 1
                tok = self._peek()
                assert tok is not None
            if pending_op == "AND" and sign == "should":
                sign = "must"
            if pending_op == "NOT":
                sign = "not"
            pending_op = None
            if tok.group("lp"):
                self.i += 1
                node: Any = self._expr()
                if (close := self._peek()) is not None and close.group("rp"):
                    self.i += 1
            else:
                self.i += 1
                node = ("term", tok.group("term"))
            clauses.append((sign, node))
        return ("bool", clauses)

    def match(self, doc: dict[str, Any], node: Any = None) -> bool:
        node = node or self.tree
        if node[0] == "term":
            return _term(node[1], doc)
        clauses = node[1]
        must = [c for s, c in clauses if s == "must"]
        should = [c for s, c in clauses if s == "should"]
        nots = [c for s, c in clauses if s == "not"]
        if any(self.match(doc, c) for c in nots):
            return False
        if not all(self.match(doc, c) for c in must):
            return False
        if should and not must:
            return any(self.match(doc, c) for c in should)
        return True


def _values(doc: dict[str, Any], field: str) -> list[str]:
    v = doc.get(field)
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        v = v[1:-1]
    return re.sub(r"\\(.)", r"\1", v)


def _term(term: str, doc: dict[str, Any]) -> bool:
    if term in ("*:*", "*"):
        return True
    m = re.match(r'^([^\s()"\[\]{}:]+):(.*)$', term, re.S)
    if not m:  # a bare word or phrase: substring over the text fields
        word = _unquote(term).lower()
        return any(word in v.lower() for f in TEXT_FIELDS for v in _values(doc, f))
    field, value = m.group(1), m.group(2)
    if value.startswith("[") or value.startswith("{"):
        return True  # ranges are not evaluated
    if value.startswith("(") and value.endswith(")"):
        return Query(" ".join(f"{field}:{p}" for p in _split_group(value[1:-1]))).match(doc)
    have = _values(doc, field)
    if value == "*":
        return bool(have)
    want = _unquote(value)
    if "*" in want:
        rx = re.compile("^" + ".*".join(map(re.escape, want.split("*"))) + "$", re.I)
        return any(rx.match(h) for h in have)
    return any(h == want or h.lower() == want.lower() for h in have)


def _split_group(inner: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r'"(?:[^"\\]|\\.)*"|\S+', inner)]


class Index:
    def __init__(self, data: Path | None) -> None:
        self.data = data
        self.docs: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        if data and data.exists():
            self.docs = json.loads(data.read_text(encoding="utf-8"))

    def save(self) -> None:
        if self.data:
            tmp = self.data.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.docs), encoding="utf-8")
            tmp.replace(self.data)

    def update(self, body: bytes, content_type: str) -> None:
        text = body.decode("utf-8").strip()
        with self.lock:
            if text.startswith("[") or text.startswith("{"):
                payload = json.loads(text)
                docs = payload if isinstance(payload, list) else [payload.get("add", {}).get("doc")]
                for doc in docs:
                    if doc:
                        self.docs[str(doc["id"])] = doc
            elif text:
                root = ET.fromstring(text)
                for el in root.iter():
                    if el.tag == "doc" and root.tag == "add":
                        doc: dict[str, Any] = {}
                        for f in el.findall("field"):
                            doc.setdefault(f.get("name", ""), []).append(f.text or "")
                        flat = {k: v[0] if len(v) == 1 else v for k, v in doc.items()}
                        self.docs[str(flat["id"])] = flat
                    elif el.tag == "id" and root.tag == "delete":
                        self.docs.pop(el.text or "", None)
                    elif el.tag == "query" and root.tag == "delete":
                        q = Query(el.text or "")
                        for k in [k for k, d in self.docs.items() if q.match(d)]:
                            del self.docs[k]
            self.save()

    def select(self, params: dict[str, list[str]]) -> dict[str, Any]:
        q = Query(params.get("q", ["*:*"])[0])
        fqs = [Query(f) for f in params.get("fq", [])]
        with self.lock:
            hits = [d for d in self.docs.values() if q.match(d) and all(f.match(d) for f in fqs)]
        sort = (params.get("sort") or ["metadata_modified desc"])[0].split(",")[0].split()
        key, desc = sort[0], len(sort) > 1 and sort[1].lower() == "desc"
        if key != "score":
            hits.sort(key=lambda d: str(d.get(key) or ""), reverse=desc)
        start = int((params.get("start") or ["0"])[0])
        rows = int((params.get("rows") or ["10"])[0])
        facets: dict[str, list[Any]] = {}
        for f in params.get("facet.field", []):
            counts: dict[str, int] = {}
            for d in hits:
                for v in _values(d, f):
                    counts[v] = counts.get(v, 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            facets[f] = [x for k, n in ranked for x in (k, n)]
        docs = [{**d, "score": 1.0} for d in hits[start : start + rows]]
        return {
            "responseHeader": {"status": 0, "QTime": 0},
            "response": {"numFound": len(hits), "start": start, "docs": docs},
            "facet_counts": {"facet_queries": {}, "facet_fields": facets, "facet_ranges": {}},
        }


def make_handler(index: Index, schema_xml: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self, params: dict[str, list[str]], body: bytes) -> None:
            path = urlparse(self.path).path.rstrip("/")
            try:
                if path.endswith("/schema") or path.endswith("/admin/file"):
                    self._send(200, schema_xml, "application/xml")
                elif path.endswith("/update"):
                    index.update(body, self.headers.get("Content-Type", ""))
                    self._send(200, b'{"responseHeader":{"status":0,"QTime":0}}')
                elif path.endswith("/select"):
                    self._send(200, json.dumps(index.select(params)).encode("utf-8"))
                elif path.endswith("/admin/ping"):
                    self._send(200, b'{"status":"OK"}')
                else:
                    self._send(404, b'{"error":{"msg":"not found","code":404}}')
            except Exception as exc:
                msg = json.dumps({"error": {"msg": f"{type(exc).__name__}: {exc}", "code": 400}})
                self._send(400, msg.encode("utf-8"))

        def do_GET(self) -> None:
            self._route(parse_qs(urlparse(self.path).query), b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = parse_qs(urlparse(self.path).query)
            if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
                for k, v in parse_qs(body.decode("utf-8")).items():
                    params.setdefault(k, []).extend(v)
                body = b""
            self._route(params, body)

    return Handler


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", required=True, type=Path, help="CKAN's solr/schema.xml")
    ap.add_argument("--data", type=Path, help="JSON file that keeps the documents")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8983)
    args = ap.parse_args()
    index = Index(args.data)
    handler = make_handler(index, args.schema.read_bytes())
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
