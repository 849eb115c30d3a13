// Draws report.html's curves as inline SVG from the JSON in #run-data. No libraries, no network.
// When done, #charts gets data-rendered="<number of charts>"; any error is written into #errors.
(function () {
  'use strict';
  var errors = document.getElementById('errors');
  function fail(message) {
    errors.textContent += message + '\n';
  }
  window.addEventListener('error', function (event) {
    fail('script error: ' + event.message);
  });

  var SVG = 'http://www.w3.org/2000/svg';
  var COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];
  // Known per-epoch fields, drawn together; any other number in metrics.jsonl gets a chart of its own.
  var GROUPS = [
    {title: 'Loss', keys: ['train_loss', 'val_loss']},
    {title: 'Validation accuracy', keys: ['val_accuracy']},
    {title: 'Validation r\u00b2', keys: ['val_r2']},
    {title: 'Validation error', keys: ['val_mse', 'val_mae']},
    {title: 'Learning rate', keys: ['lr']},
    {title: 'Gradient norm (L2, per iteration)', keys: ['grad_norm_mean', 'grad_norm_max']},
    {title: 'Training throughput (samples/s)', keys: ['samples_per_second']},
    {title: 'Epoch time (s)', keys: ['epoch_seconds']},
    {title: 'All-reduce share of a rank\u2019s epoch time', keys: ['allreduce_share', 'allreduce_wait_share']}
  ];
  var NOT_CURVES = {epoch: true, iteration: true, attempts: true, kind: true, ranks: true, slow_rank: true};

  function element(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function format(value) {
    if (value === 0) {
      return '0';
    }
    var magnitude = Math.abs(value);
    if (magnitude >= 1e5 || magnitude < 1e-3) {
      return value.toExponential(2);
    }
    return String(Number(value.toPrecision(4)));
  }

  function niceStep(span, count) {
    var raw = span / count;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var scaled = raw / power;
    return (scaled < 1.5 ? 1 : scaled < 3 ? 2 : scaled < 7 ? 5 : 10) * power;
  }

  function ticks(low, high, count) {
    if (!(high > low)) {
      return isFinite(low) && low === high ? [low] : [];
    }
    var step = niceStep(high - low, count);
    var values = [];
    for (var value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
      values.push(Number(value.toPrecision(12)));
    }
    return values;
  }

  function isNumber(value) {
    return typeof value === 'number' && isFinite(value);
  }

  // series: [{name, points: [[x, y or null], ...]}]; markers: [{x, label}]
  function chart(title, xLabel, series, markers) {
    var xs = [];
    var ys = [];
    series.forEach(function (one) {
      one.points.forEach(function (point) {
        xs.push(point[0]);
        if (isNumber(point[1])) {
          ys.push(point[1]);
        }
      });
    });
    if (ys.length === 0) {
      return null;
    }
    var width = 560, height = 270, left = 66, right = 16, top = 14, bottom = 40;
    var xMin = Math.min.apply(null, xs), xMax = Math.max.apply(null, xs);
    if (xMin === xMax) {
      xMin -= 1;
      xMax += 1;
    }
    var yMin = Math.min.apply(null, ys), yMax = Math.max.apply(null, ys);
    // Values spread over orders of magnitude (a decaying learning rate, gradient norms) read
    // better on a log scale.
    var log = yMin > 0 && yMax / yMin > 50;
    var scale = log ? Math.log10 : function (y) { return y; };
    var low = scale(yMin), high = scale(yMax);
    if (low === high) {
      var pad = Math.abs(low) * 0.1 || 1;
      low -= pad;
      high += pad;
    } else {
      var margin = (high - low) * 0.05;
      low -= margin;
      high += margin;
    }
    function sx(x) {
      return left + (x - xMin) / (xMax - xMin) * (width - left - right);
    }
    function sy(y) {
      return top + (high - scale(y)) / (high - low) * (height - top - bottom);
    }

    var figure = document.createElement('figure');
    figure.className = 'chart';
    var caption = document.createElement('figcaption');
    caption.textContent = title + (log ? ' (log scale)' : '');
    figure.appendChild(caption);
    var svg = element('svg', {viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': title}, figure);

    var grid = element('g', {'class': 'grid'}, svg);
    var axis = element('g', {'class': 'axis'}, svg);
    var yTicks = log ? ticks(Math.ceil(low), Math.floor(high), Math.max(1, Math.floor(high) - Math.ceil(low)))
        .map(function (power) { return Math.pow(10, power); }) : ticks(low, high, 5);
    if (yTicks.length < 2) {
      yTicks = [yMin, yMax];
    }
    yTicks.forEach(function (y) {
      var py = sy(y);
      element('line', {x1: left, x2: width - right, y1: py, y2: py}, grid);
      element('text', {x: left - 6, y: py + 4, 'text-anchor': 'end'}, axis).textContent = format(y);
    });
    ticks(xMin, xMax, Math.max(1, Math.min(10, xMax - xMin))).filter(function (x) {
      return Math.round(x) === x;
    }).forEach(function (x) {
      var px = sx(x);
      element('line', {x1: px, x2: px, y1: top, y2: height - bottom}, grid);
      element('text', {x: px, y: height - bottom + 16, 'text-anchor': 'middle'}, axis).textContent = String(x);
    });
    element('text', {x: (left + width - right) / 2, y: height - 6, 'text-anchor': 'middle'}, axis)
        .textContent = xLabel;

    (markers || []).forEach(function (marker) {
      if (marker.x < xMin || marker.x > xMax) {
        return;
      }
      var group = element('g', {'class': 'marker'}, svg);
      element('line', {x1: sx(marker.x), x2: sx(marker.x), y1: top, y2: height - bottom}, group);
      var nearRight = sx(marker.x) > width - right - 60;
      element('text', {x: sx(marker.x) + (nearRight ? -3 : 3), y: top + 10,
        'text-anchor': nearRight ? 'end' : 'start'}, group).textContent = marker.label;
    });

    var legend = document.createElement('div');
    legend.className = 'legend';
    series.forEach(function (one, index) {
      var color = COLORS[index % COLORS.length];
      var d = '';
      var pen = 'M';
      one.points.forEach(function (point) {
        if (isNumber(point[1])) {
          d += pen + sx(point[0]).toFixed(1) + ' ' + sy(point[1]).toFixed(1) + ' ';
          pen = 'L';
        } else {
          pen = 'M'; // a gap where the value is missing (null in metrics.jsonl)
        }
      });
      if (d === '') {
        return;
      }
      element('path', {d: d.trim(), fill: 'none', stroke: color, 'stroke-width': 2, 'data-series': one.name}, svg);
      one.points.forEach(function (point) {
        if (isNumber(point[1])) {
          var dot = element('circle', {cx: sx(point[0]), cy: sy(point[1]), r: 2.6, fill: color}, svg);
          element('title', {}, dot).textContent = one.name + ' at ' + xLabel + ' ' + point[0] + ': ' + point[1];
        }
      });
      var entry = document.createElement('span');
      entry.style.setProperty('--color', color);
      entry.textContent = one.name;
      legend.appendChild(entry);
    });
    figure.appendChild(legend);
    return figure;
  }

  function epochSeries(epochs, key) {
    return {name: key, points: epochs.map(function (line) {
      return [line.epoch, isNumber(line[key]) ? line[key] : null];
    })};
  }

  function layerSeries(epochs, key) {
    var names = [];
    epochs.forEach(function (line) {
      Object.keys(line[key] || {}).forEach(function (name) {
        if (names.indexOf(name) < 0) {
          names.push(name);
        }
      });
    });
    return names.map(function (name) {
      // DL4J names layers by index: "0" reads better as "layer 0".
      return {name: /^[0-9]+$/.test(name) ? 'layer ' + name : name, points: epochs.map(function (line) {
        var value = (line[key] || {})[name];
        return [line.epoch, isNumber(value) ? value : null];
      })};
    });
  }

  // One curve per rank from the epochs' "ranks" arrays: a straggler stands out as the top curve.
  function rankSeries(epochs, key) {
    var names = [];
    epochs.forEach(function (line) {
      (line.ranks || []).forEach(function (rank) {
        if (names.indexOf(rank.rank) < 0) {
          names.push(rank.rank);
        }
      });
    });
    return names.map(function (name) {
      return {name: 'rank ' + name, points: epochs.map(function (line) {
        var entry = (line.ranks || []).filter(function (rank) { return rank.rank === name; })[0];
        return [line.epoch, entry && isNumber(entry[key]) ? entry[key] : null];
      })};
    });
  }

  function render() {
    var data = JSON.parse(document.getElementById('run-data').textContent);
    var epochs = data.epochs;
    var markers = [];
    if (isNumber(data.bestEpoch)) {
      markers.push({x: data.bestEpoch, label: 'best'});
    }
    data.rollbacks.forEach(function (rollback) {
      markers.push({x: rollback.epoch, label: 'rollback'});
    });
    var charts = document.getElementById('charts');
    var drawn = 0;
    function add(figure) {
      if (figure) {
        charts.appendChild(figure);
        drawn++;
      }
    }

    var used = {};
    GROUPS.forEach(function (group) {
      var series = group.keys.map(function (key) {
        used[key] = true;
        return epochSeries(epochs, key);
      }).filter(function (one) {
        return one.points.some(function (point) { return point[1] !== null; });
      });
      if (series.length) {
        add(chart(group.title, 'epoch', series, markers));
      }
    });
    [['compute_seconds', 'Compute time by rank (s)'], ['allreduce_wait_seconds', 'All-reduce wait by rank (s)']]
        .forEach(function (pair) {
          var series = rankSeries(epochs, pair[0]);
          if (series.length > 1) {
            add(chart(pair[1], 'epoch', series, markers));
          }
        });
    var iterationLoss = data.iterations.filter(function (line) { return isNumber(line.loss); });
    if (iterationLoss.length) {
      add(chart('Training loss at probe iterations', 'iteration', [{name: 'loss', points: iterationLoss
          .map(function (line) { return [line.iteration, line.loss]; })}], []));
    }
    // Whatever else metrics.jsonl carries: numbers get a chart each, objects of numbers (per
    // layer) one chart with a curve per entry.
    var others = [];
    epochs.forEach(function (line) {
      Object.keys(line).forEach(function (key) {
        if (!used[key] && !NOT_CURVES[key] && others.indexOf(key) < 0) {
          others.push(key);
        }
      });
    });
    others.forEach(function (key) {
      var numbers = epochs.some(function (line) { return isNumber(line[key]); });
      var objects = epochs.some(function (line) {
        return line[key] !== null && typeof line[key] === 'object' && !Array.isArray(line[key]);
      });
      if (numbers) {
        add(chart(key.replace(/_/g, ' '), 'epoch', [epochSeries(epochs, key)], markers));
      } else if (objects) {
        add(chart(key.replace(/_/g, ' ') + ' by layer', 'epoch', layerSeries(epochs, key), markers));
      }
    });
    if (drawn === 0) {
      var empty = document.createElement('p');
      empty.className = 'note';
      empty.textContent = 'No epoch has finished yet.';
      charts.appendChild(empty);
    }
    charts.setAttribute('data-rendered', String(drawn));
  }

  try {
    render();
  } catch (error) {
    fail('cannot draw the curves: ' + error);
  }
})();
