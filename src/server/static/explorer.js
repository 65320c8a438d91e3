/*
 * Starts GraphiQL against this API. The bearer token is kept in this browser's localStorage
 * (never sent anywhere but this API's /graphql) and added to every request as the
 * Authorization header; changing it re-creates the fetcher, so the schema is loaded again.
 */
(function () {
  'use strict';
  var STORAGE_KEY = 'pillar.explorer.token';
  var endpoint = document.body.getAttribute('data-endpoint') || '/graphql';
  var input = document.getElementById('token');
  var status = document.getElementById('token-status');

  var DEFAULT_QUERY = [
    '# Pillar GraphQL explorer (served by this API, no CDN).',
    '# Paste a token above (npm start prints one),',
    '# then run with Ctrl-Enter.',
    '',
    'query Counties {',
    '  counties(page: { first: 10 }) {',
    '    totalCount',
    '    edges {',
    '      node {',
    '        code',
    '        nameZh',
    '        nameEn',
    '        provinceEn',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  function storedToken() {
    try {
      return (window.localStorage.getItem(STORAGE_KEY) || '').trim();
    } catch (e) {
      return '';
    }
  }

  function storeToken(value) {
    try {
      if (value) window.localStorage.setItem(STORAGE_KEY, value);
      else window.localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* storage disabled: the token lives until the page is reloaded */
    }
    token = value;
  }

  var token = storedToken();

  function showStatus() {
    status.textContent = token
      ? 'token set (' + token.slice(0, 8) + '…)'
      : 'no token: only public fields work';
  }

  function makeFetcher() {
    return function fetcher(params, opts) {
      var headers = { 'content-type': 'application/json', accept: 'application/json' };
      if (token) headers.authorization = 'Bearer ' + token;
      var extra = opts && opts.headers;
      if (extra)
        Object.keys(extra).forEach(function (k) {
          headers[k] = extra[k];
        });
      return fetch(endpoint, {
        method: 'POST',
        headers: headers,
        body: JSON.stringify(params),
        credentials: 'same-origin',
      }).then(function (res) {
        return res.text().then(function (text) {
          try {
            return JSON.parse(text);
          } catch (e) {
            return { errors: [{ message: 'HTTP ' + res.status + ': ' + text.slice(0, 500) }] };
          }
        });
      });
    };
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    showStatus();
    root.render(
      React.createElement(GraphiQL, {
        fetcher: makeFetcher(),
        defaultQuery: DEFAULT_QUERY,
        shouldPersistHeaders: false,
      }),
    );
  }

  input.value = token;
  document.getElementById('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    storeToken(input.value.trim().replace(/^Bearer\s+/i, ''));
    input.value = token;
    render();
  });
  document.getElementById('token-clear').addEventListener('click', function () {
    storeToken('');
    input.value = '';
    render();
  });

  render();
})();
